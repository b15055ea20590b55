package provider_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/internal/httpsec"
)

// An authorization request whose client or redirect_uri cannot be trusted must end
// on an error page, never in a redirect (RFC 9700 §4.1, §4.11).
func TestUntrustedRedirectsGetAnErrorPage(t *testing.T) {
	b := newBroker(t)
	base := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "state": {"s"}}
	for _, tc := range []struct {
		name     string
		clientID string
		redirect string
	}{
		{"unregistered", "rp1", "https://evil.example/callback"},
		{"percent-encoded variant", "rp1", "https://rp.example/%63allback"},
		{"trailing slash", "rp1", "https://rp.example/callback/"},
		{"upper case host", "rp1", "https://RP.example/callback"},
		{"extra query", "rp1", "https://rp.example/callback?x=1"},
		{"fragment", "rp1", "https://rp.example/callback#x"},
		{"userinfo", "rp1", "https://rp.example@evil.example/callback"},
		{"missing", "rp1", ""},
		{"unknown client", "nobody", rpRedirect},
		{"no client", "", rpRedirect},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			q.Set("client_id", tc.clientID)
			q.Set("redirect_uri", tc.redirect)
			resp, err := browser(t).Get(b.URL + "/authorize?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if isRedirect(resp) {
				t.Fatalf("redirected to %q; want an error page", resp.Header.Get("Location"))
			}
			if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("status %d, type %q; want a 400 HTML page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestPKCE(t *testing.T) {
	b := newBroker(t)
	verifier := oauth2.GenerateVerifier()
	request := func(t *testing.T, client string, extra url.Values) url.Values {
		q := url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {rpRedirect}, "state": {"st"}, "acr_values": {"urn:portvakt:eid:se:test"}}
		if client == "public" {
			q.Set("redirect_uri", "http://127.0.0.1:9999/cb")
		}
		for k, v := range extra {
			q[k] = v
		}
		return b.authorize(t, browser(t), q).Query()
	}
	t.Run("plain is refused", func(t *testing.T) {
		got := request(t, "rp1", url.Values{"code_challenge": {verifier}, "code_challenge_method": {"plain"}})
		if got.Get("error") != "invalid_request" || got.Get("iss") != b.URL || got.Get("state") != "st" {
			t.Errorf("got %v; want invalid_request with iss and state", got)
		}
	})
	t.Run("a method without a challenge is refused", func(t *testing.T) {
		if got := request(t, "rp1", url.Values{"code_challenge_method": {"S256"}}); got.Get("error") != "invalid_request" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("public clients must use PKCE", func(t *testing.T) {
		if got := request(t, "public", nil); got.Get("error") != "invalid_request" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("a code_verifier without a challenge is refused", func(t *testing.T) {
		got := request(t, "rp1", nil)
		if got.Get("code") == "" {
			t.Fatalf("no code: %v", got)
		}
		if status, body := redeem(t, b, "rp1", "rp1-secret-0123456789", got.Get("code"), verifier); status != http.StatusBadRequest || !strings.Contains(body, "invalid") {
			t.Errorf("status %d body %s; want the downgrade refused", status, body)
		}
	})
	t.Run("a wrong verifier is refused", func(t *testing.T) {
		got := request(t, "rp1", url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
		if status, _ := redeem(t, b, "rp1", "rp1-secret-0123456789", got.Get("code"), oauth2.GenerateVerifier()); status != http.StatusBadRequest {
			t.Errorf("status %d", status)
		}
	})
	t.Run("the right verifier works", func(t *testing.T) {
		got := request(t, "rp1", url.Values{"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
		if status, body := redeem(t, b, "rp1", "rp1-secret-0123456789", got.Get("code"), verifier); status != http.StatusOK {
			t.Errorf("status %d body %s", status, body)
		}
	})
}

// redeem posts a code to the token endpoint with client_secret_basic.
func redeem(t *testing.T, b *broker, client, secret, code, verifier string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpRedirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	status, body := b.postForm(t, "/oauth/token", client, secret, form)
	return status, string(body)
}

func TestCodeRedeemedOnceUnderConcurrency(t *testing.T) {
	b := newBroker(t)
	r := newRP(t, b, "rp1", "rp1-secret-0123456789")
	verifier := oauth2.GenerateVerifier()
	got := b.authorize(t, browser(t), url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}, "acr_values": {"urn:portvakt:eid:se:test"},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}).Query()
	code := got.Get("code")

	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	bodies := make(chan string, 50)
	start := make(chan struct{})
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			status, body := redeem(t, b, "rp1", "rp1-secret-0123456789", code, verifier)
			statuses <- status
			if status == http.StatusOK {
				bodies <- body
			}
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	close(bodies)
	ok := 0
	for s := range statuses {
		if s == http.StatusOK {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 50 concurrent redemptions succeeded; want exactly 1", ok)
	}
	tok := new(oauth2.Token)
	for body := range bodies {
		tok = tokenFromJSON(t, body)
	}
	// The reuses revoked what the first redemption issued.
	if _, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok)); err == nil {
		t.Error("the access token from the first redemption still works after the code was reused")
	}
}

func TestReusedCodeRevokesTokens(t *testing.T) {
	b := newBroker(t)
	r := newRP(t, b, "rp1", "rp1-secret-0123456789")
	res := r.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	if _, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(res.token)); err != nil {
		t.Fatalf("userinfo before reuse: %v", err)
	}
	if status, body := redeem(t, b, "rp1", "rp1-secret-0123456789", res.code, res.verifier); status != http.StatusBadRequest || !strings.Contains(body, "invalid_grant") {
		t.Fatalf("reuse: status %d body %s; want invalid_grant", status, body)
	}
	if _, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(res.token)); err == nil {
		t.Error("the access token still works after its code was reused")
	}
}

func TestWrongClientCannotBurnTheCode(t *testing.T) {
	b := newBroker(t)
	verifier := oauth2.GenerateVerifier()
	got := b.authorize(t, browser(t), url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}, "acr_values": {"urn:portvakt:eid:se:test"},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}}).Query()
	if status, _ := redeem(t, b, "rp1", "wrong-secret", got.Get("code"), verifier); status != http.StatusUnauthorized {
		t.Errorf("wrong secret: status %d, want 401", status)
	}
	if status, body := redeem(t, b, "rp1", "rp1-secret-0123456789", got.Get("code"), verifier); status != http.StatusOK {
		t.Errorf("the right client could not redeem after a failed attempt: %d %s", status, body)
	}
}

func TestIssOnEveryAuthorizationResponse(t *testing.T) {
	b := newBroker(t)
	for _, tc := range []struct {
		name  string
		extra url.Values
		want  string // code or error
	}{
		{"success", url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}, "code"},
		{"unsupported response type", url.Values{"response_type": {"token"}}, "unsupported_response_type"},
		{"prompt none without a session", url.Values{"prompt": {"none"}}, "login_required"},
		{"a level no eID reaches", url.Values{"acr_values": {"urn:portvakt:eid:se:test http://eidas.europa.eu/LoA/high"}}, "unmet_authentication_requirements"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}, "state": {"xyz"}}
			for k, v := range tc.extra {
				q[k] = v
			}
			got := b.authorize(t, browser(t), q).Query()
			if got.Get("iss") != b.URL || got.Get("state") != "xyz" {
				t.Errorf("iss %q state %q; want %q and xyz", got.Get("iss"), got.Get("state"), b.URL)
			}
			if tc.want == "code" && got.Get("code") == "" || tc.want != "code" && got.Get("error") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
		})
	}
}

func TestSecurityHeadersOnPages(t *testing.T) {
	b := newBroker(t)
	c := browser(t)
	loc := func(path string) string { return b.URL + path }
	// A login that stops at the chooser (two eIDs allowed).
	resp, err := c.Get(loc("/authorize?" + url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	chooser := resp.Request.URL.String()
	for _, page := range []string{
		chooser,
		loc("/authorize?client_id=nobody"),
		loc("/logged-out"),
		loc("/login/unknown"),
		loc("/.well-known/openid-configuration"),
	} {
		resp, err := c.Get(page)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		// The very policy the pages are checked against in Chromium (themes).
		if h.Get("Content-Security-Policy") != httpsec.BrokerCSP() || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: CSP %q, XFO %q, Referrer-Policy %q", page, h.Get("Content-Security-Policy"), h.Get("X-Frame-Options"), h.Get("Referrer-Policy"))
		}
	}
	if !strings.Contains(chooser, "/login/") {
		t.Errorf("expected the chooser page, ended at %s", chooser)
	}
}
