package provider_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/provider"
)

// pad makes a value of exactly n bytes that starts with prefix and ends with
// suffix, topped up with spaces where fill does not divide the room.
func pad(prefix string, n int, fill, suffix string) string {
	room := n - len(prefix) - len(suffix)
	return prefix + strings.Repeat(fill, room/len(fill)) + strings.Repeat(" ", room%len(fill)) + suffix
}

// Every authorization parameter has a size cap: a value just under it is
// accepted, one byte more is an invalid_request naming the parameter, sent back
// to the verified client, and an oversized state is not echoed.
func TestAuthorizeParameterCaps(t *testing.T) {
	b := newBroker(t)
	for _, tc := range []struct {
		name  string
		limit int
		value func(n int) string
	}{
		{"state", 2048, func(n int) string { return strings.Repeat("s", n) }},
		{"nonce", 512, func(n int) string { return strings.Repeat("n", n) }},
		{"login_hint", 8 << 10, func(n int) string { return strings.Repeat("h", n) }},
		{"authorization_details", 48 << 10, func(n int) string { return strings.Repeat("d", n) }},
		{"acr_values", 1024, func(n int) string { return pad("urn:portvakt:eid:se:test", n, " x", "") }},
		{"claims", 4096, func(n int) string { return pad(`{"id_token":{"x":"`, n, "a", `"}}`) }},
		{"ui_locales", 256, func(n int) string { return pad("sv", n, " en", "") }},
		{"scope", 1024, func(n int) string { return pad("openid", n, " x", "") }},
		{"code_challenge", 128, func(n int) string { return strings.Repeat("c", n) }},
		{"prompt", 64, func(n int) string { return pad("login", n, " ", "") }},
		{"max_age", 64, func(n int) string { return pad("", n, "0", "300") }},
		{"id_token_hint", 32 << 10, func(n int) string { return strings.Repeat("i", n) }},
		{"display", 64, func(n int) string { return strings.Repeat("p", n) }},
		{"an_extension", 16 << 10, func(n int) string { return strings.Repeat("e", n) }},
	} {
		for _, over := range []bool{false, true} {
			n := tc.limit
			if over {
				n++
			}
			t.Run(tc.name+map[bool]string{false: "/at cap", true: "/over cap"}[over], func(t *testing.T) {
				form := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
					"state": {"st"}, "code_challenge": {s256(oauth2.GenerateVerifier())}, "code_challenge_method": {"S256"}}
				v := tc.value(n)
				if len(v) != n {
					t.Fatalf("test value is %d bytes, want %d", len(v), n)
				}
				form.Set(tc.name, v)
				resp, err := browser(t).PostForm(b.URL+"/authorize", form)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				loc, _ := url.Parse(resp.Header.Get("Location"))
				q := loc.Query()
				tooLong := strings.Contains(q.Get("error_description"), "longer than")
				if !over {
					if tooLong {
						t.Fatalf("a value at the cap was refused: %s", q.Get("error_description"))
					}
					return
				}
				if !strings.HasPrefix(loc.String(), rpRedirect) || q.Get("error") != "invalid_request" || !tooLong ||
					!strings.HasPrefix(q.Get("error_description"), tc.name+" ") {
					t.Fatalf("status %d, redirect %.200s; want invalid_request at the client naming %s", resp.StatusCode, loc, tc.name)
				}
				if tc.name == "state" && q.Has("state") {
					t.Errorf("the oversized state was echoed")
				} else if tc.name != "state" && q.Get("state") != "st" {
					t.Errorf("state %q, want it echoed", q.Get("state"))
				}
			})
		}
	}
}

// Before the client and redirect URI are known, an oversized value is a page:
// no redirect is safe.
func TestAuthorizeOversizedClientIsAPage(t *testing.T) {
	b := newBroker(t)
	for name, v := range map[string]string{
		"client_id":    strings.Repeat("c", 257),
		"redirect_uri": rpRedirect + "?" + strings.Repeat("r", 2048),
	} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}}
			form.Set(name, v)
			resp, err := browser(t).PostForm(b.URL+"/authorize", form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if isRedirect(resp) || resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, location %q; want a 400 page", resp.StatusCode, resp.Header.Get("Location"))
			}
		})
	}
}

// A body over provider.MaxFormBody is refused with 413 at every endpoint: a page
// where a browser posts, a JSON error where a client does.
func TestOversizedBodies(t *testing.T) {
	b := newBroker(t)
	huge := url.Values{"state": {strings.Repeat("x", provider.MaxFormBody)}}.Encode()
	for _, tc := range []struct {
		path string
		html bool
	}{
		{"/authorize", true},
		{"/login/abc", true},
		{"/login/abc/consent", true},
		{"/login/abc/cancel", true},
		{"/callback/se-test", true},
		{"/end_session", true},
		{"/oauth/token", false},
		{"/oauth/introspect", false},
		{"/revoke", false},
		{"/userinfo", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := postAsRP1(t, b.URL+tc.path, huge)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d; want 413; body %.200s", resp.StatusCode, body)
			}
			ct := resp.Header.Get("Content-Type")
			if tc.html && !strings.HasPrefix(ct, "text/html") {
				t.Errorf("content type %q; want a page", ct)
			}
			if !tc.html && (!strings.HasPrefix(ct, "application/json") || !strings.Contains(string(body), `"invalid_request"`)) {
				t.Errorf("content type %q body %s; want a JSON invalid_request", ct, body)
			}
		})
	}
}

// The token endpoint caps its parameters as /authorize does.
func TestTokenParameterCaps(t *testing.T) {
	b := newBroker(t)
	for name, v := range map[string]string{
		"code":          strings.Repeat("c", 8<<10+1),
		"code_verifier": strings.Repeat("v", 129),
		"redirect_uri":  rpRedirect + "?" + strings.Repeat("r", 2048),
	} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"abc"}, "redirect_uri": {rpRedirect}}
			form.Set(name, v)
			resp, body := postAsRP1(t, b.URL+"/oauth/token", form.Encode())
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), name+" is longer than") {
				t.Fatalf("status %d body %s; want 400 naming %s", resp.StatusCode, body, name)
			}
		})
	}
}

// postAsRP1 posts a form body with rp1's client_secret_basic and returns the
// response and its body.
func postAsRP1(t *testing.T, target, form string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("rp1", "rp1-secret-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}
