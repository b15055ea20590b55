package conformance_test

import (
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

func readAll(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// RFC 9700 §2.1.1 and §4.8: PKCE is S256 only, required of public clients, and a
// code_verifier for a code issued without a challenge is a downgrade attempt.
func TestSecurityPKCE(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
	public := h.rpFor(t, hPublicID, "", "none")

	t.Run("downgrade: verifier without challenge", func(t *testing.T) {
		req := r.harnessRequest()
		req.params.Del("code_challenge")
		req.params.Del("code_challenge_method")
		code := r.expectCode(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state)
		expectPKCERefused(t, r.redeem(t, code, req.verifier))
	})
	t.Run("plain is refused", func(t *testing.T) {
		req := r.harnessRequest()
		req.params.Set("code_challenge", req.verifier)
		req.params.Set("code_challenge_method", "plain")
		if e := r.expectError(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state); e != "invalid_request" {
			t.Errorf("error %s, want invalid_request", e)
		}
	})
	t.Run("challenge without method defaults to plain and is refused", func(t *testing.T) {
		req := r.harnessRequest()
		req.params.Del("code_challenge_method")
		if e := r.expectError(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state); e != "invalid_request" {
			t.Errorf("error %s, want invalid_request", e)
		}
	})
	t.Run("method without challenge is refused", func(t *testing.T) {
		req := r.harnessRequest()
		req.params.Del("code_challenge")
		if e := r.expectError(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state); e != "invalid_request" {
			t.Errorf("error %s, want invalid_request", e)
		}
	})
	t.Run("public client without PKCE is refused", func(t *testing.T) {
		req := public.harnessRequest()
		req.params.Del("code_challenge")
		req.params.Del("code_challenge_method")
		if e := public.expectError(t, newBrowser(t).authorize(public, http.MethodGet, req.params), req.state); e != "invalid_request" {
			t.Errorf("error %s, want invalid_request", e)
		}
	})
	t.Run("missing verifier is refused", func(t *testing.T) {
		req := r.harnessRequest()
		code := r.expectCode(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state)
		expectPKCERefused(t, r.redeem(t, code, ""))
	})
	t.Run("public client with PKCE works", func(t *testing.T) {
		public.login(t, newBrowser(t), public.harnessRequest())
	})
}

// expectPKCERefused accepts invalid_grant (RFC 7636 §4.6, a failed verification)
// or invalid_request (a verifier missing, or sent without a challenge): RFC 9700
// §4.8.2 requires the refusal, not the code.
func expectPKCERefused(t *testing.T, tr tokenResponse) {
	t.Helper()
	if e := tr.str("error"); e != "invalid_grant" && e != "invalid_request" {
		t.Errorf("token endpoint: status %d body %s; want invalid_grant or invalid_request", tr.Status, tr.Raw)
	}
	if tr.Status != http.StatusBadRequest || tr.str("access_token") != "" {
		t.Errorf("token endpoint: status %d body %s; want 400 and no tokens", tr.Status, tr.Raw)
	}
}

// RFC 9700 §4.5: a code is redeemed once. Of many concurrent redemptions exactly
// one wins, and the reuse revokes what the winner got.
func TestSecurityConcurrentCodeRedemption(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
	req := r.harnessRequest()
	code := r.expectCode(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state)
	const n = 24
	results := make([]tokenResponse, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = r.redeem(t, code, req.verifier)
		}()
	}
	close(start)
	wg.Wait()
	var winner string
	wins := 0
	for _, tr := range results {
		switch {
		case tr.Status == http.StatusOK:
			wins++
			winner = tr.str("access_token")
		case tr.str("error") != "invalid_grant":
			t.Errorf("a losing redemption got status %d %s; want invalid_grant", tr.Status, tr.Raw)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent redemptions succeeded; want exactly 1", wins, n)
	}
	if status, _ := r.userinfo(t, "get", winner); status == http.StatusOK {
		t.Error("the winner's access token still works after the code was reused")
	}
}

// oidcc-codereuse-30seconds with time moved on: a reuse 31 s after the first
// redemption, and after the code's lifetime, is still invalid_grant; a code never
// redeemed is refused once its login has expired. (That a code outlives
// code_lifetime until then is TestGapCodeLifetime.)
func TestSecurityCodeReuseAfterExpiry(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
	l := r.login(t, newBrowser(t), r.harnessRequest())
	h.clock.advance(31 * time.Second)
	expectTokenError(t, r.redeem(t, l.code, l.req.verifier), "invalid_grant")
	h.clock.advance(10 * time.Minute)
	expectTokenError(t, r.redeem(t, l.code, l.req.verifier), "invalid_grant")

	req := r.harnessRequest()
	code := r.expectCode(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state)
	h.clock.advance(20 * time.Minute)
	expectTokenError(t, r.redeem(t, code, req.verifier), "invalid_grant")
}

// RFC 9700 §2.4 and §2.1.2: no password grant, no implicit or hybrid flow.
func TestSecurityGrantAndResponseTypes(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
	for _, grant := range []string{"password", "implicit", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code",
		"urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token"} {
		t.Run("grant "+grant, func(t *testing.T) {
			tr := r.tokenRequest(t, url.Values{"grant_type": {grant}, "username": {"u"}, "password": {"p"}, "scope": {"openid"}})
			if tr.Status < 400 || tr.str("access_token") != "" {
				t.Errorf("grant %s: status %d %s; want it refused", grant, tr.Status, tr.Raw)
			}
		})
	}
	for _, rt := range []string{"token", "id_token", "code id_token", "code token", "id_token token", "none"} {
		t.Run("response_type "+rt, func(t *testing.T) {
			req := r.harnessRequest()
			req.params.Set("response_type", rt)
			got := newBrowser(t).authorize(r, http.MethodGet, req.params)
			if e := r.expectError(t, got, req.state); e != "unsupported_response_type" {
				t.Errorf("error %s, want unsupported_response_type", e)
			}
		})
	}
}
