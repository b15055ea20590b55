package provider_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var formPostAction = regexp.MustCompile(`<form method="post" action="([^"]*)" data-pv-autosubmit>`)

// checkAuthorizeAnswer applies checkAuthorizeRedirect, and for a form_post page
// checks the form goes to a registered redirect URI.
func checkAuthorizeAnswer(t *testing.T, resp *http.Response) {
	t.Helper()
	checkAuthorizeRedirect(t, resp)
	body, _ := io.ReadAll(resp.Body)
	if m := formPostAction.FindSubmatch(body); m != nil {
		if action := html.UnescapeString(string(m[1])); !slices.Contains(registeredRedirects(), action) {
			t.Fatalf("form_post to %q, not a registered redirect_uri", action)
		}
	}
}

// FuzzAuthorize sends arbitrary authorization requests, as a query or a form
// POST, to /authorize: never a 5xx or a panic, and never a redirect anywhere but
// the login page or a registered redirect_uri.
func FuzzAuthorize(f *testing.F) {
	fb := newFuzzBroker(f)
	valid := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid profile"}, "redirect_uri": {rpRedirect},
		"state": {"s"}, "nonce": {"n"}, "acr_values": {"urn:portvakt:eid:se:test"},
		"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"S256"}}
	f.Add(valid.Encode(), false)
	f.Add(valid.Encode()+"&response_mode=form_post", true)
	f.Add(valid.Encode()+"&prompt=none&max_age=0&ui_locales=sv%20en&display=popup", false)
	f.Add("client_id=public&response_type=code&scope=openid&redirect_uri=http%3A%2F%2F127.0.0.1%3A9999%2Fcb", false)
	f.Add("client_id=rp1&redirect_uri=https%3A%2F%2Frp.example%2F%2563allback&response_type=token", false)
	f.Add("client_id=rp1&client_id=rp2&redirect_uri="+url.QueryEscape(rpRedirect)+"&redirect_uri=https://evil.example", false)
	f.Add("client_id=rp1&redirect_uri="+url.QueryEscape(rpRedirect)+"&response_type=code&scope=openid&max_age=-1&prompt=login%20none", false)
	f.Add("client_id=rp1&redirect_uri="+url.QueryEscape(rpRedirect)+"&response_type=code&scope=openid&response_mode=fragment", false)
	f.Add("%zz&client_id=%00", false)
	f.Add("", true)
	f.Fuzz(func(t *testing.T, query string, post bool) {
		var req *http.Request
		if post {
			req = httptest.NewRequest(http.MethodPost, "/authorize", strings.NewReader(query))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req = httptest.NewRequest(http.MethodGet, "/authorize", nil)
			req.URL.RawQuery = query
		}
		checkAuthorizeAnswer(t, fb.serve(t, req))
	})
}

// FuzzAuthorizeParameters fuzzes the parameters the broker parses itself (the
// claims JSON, request objects, id_token_hint, acr_values, login_hint, prompt,
// max_age, ui_locales, response_mode) on an otherwise valid request.
func FuzzAuthorizeParameters(f *testing.F) {
	fb := newFuzzBroker(f)
	f.Add(`{"userinfo":{"name":{"essential":true}},"id_token":{"acr":{"values":["http://eidas.europa.eu/LoA/high"]}}}`, "", "", "urn:portvakt:eid:se:test", "sub:199001012389", "", "", "sv", "")
	f.Add(`{"id_token":{"acr":{"value":"urn:portvakt:eid:fi:test"}}}`, "", "", "", "", "login", "0", "", "form_post")
	f.Add(`{"userinfo":null,"id_token":{"acr":null}}`, "", "", "", "", "", "", "", "")
	f.Add(`[1,2]`, "eyJhbGciOiJub25lIn0.eyJjbGllbnRfaWQiOiJycDEifQ.", "", "", "", "none", "99999999999999999999", "", "")
	f.Add("", "", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "urn:grn:authn:se:bankid:another-device", "sub:", "consent select_account", "-5", "xx-ÅÄ", "query")
	f.Add("", "", "a.b", "http://eidas.europa.eu/LoA/low urn:portvakt:country:se urn:portvakt:eid:se:test:high", "buffy@example.com", "", "", "*", "")
	f.Fuzz(func(t *testing.T, claims, request, idTokenHint, acr, loginHint, prompt, maxAge, uiLocales, responseMode string) {
		q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
			"state": {"s"}, "code_challenge": {strings.Repeat("b", 43)}, "code_challenge_method": {"S256"}}
		for k, v := range map[string]string{"claims": claims, "request": request, "id_token_hint": idTokenHint, "acr_values": acr,
			"login_hint": loginHint, "prompt": prompt, "max_age": maxAge, "ui_locales": uiLocales, "response_mode": responseMode} {
			if v != "" {
				q.Set(k, v)
			}
		}
		req := httptest.NewRequest(http.MethodGet, "/authorize?"+q.Encode(), nil)
		checkAuthorizeAnswer(t, fb.serve(t, req))
	})
}
