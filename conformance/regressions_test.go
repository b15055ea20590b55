// Rules the first version of the provider missed, found by this suite: each test
// here failed before its fix.
package conformance_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// RFC 7523 §3 (7) and RFC 9700 §2.5: a client assertion is single-use; its jti
// must be remembered until exp and a second use refused.
func TestSecurityClientAssertionReplay(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hJWTID, "", "private_key_jwt")
	signed := h.validAssertion().sign(t)
	r.checkTokenResponse(t, h.redeemWithAssertion(t, r, signed, nil))
	expectTokenError(t, h.redeemWithAssertion(t, r, signed, nil), "invalid_client")
}

// RFC 7521 §4.2: a client_id sent beside an assertion must name the client the
// assertion authenticates.
func TestSecurityClientAssertionClientIDMismatch(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hJWTID, "", "private_key_jwt")
	tr := h.redeemWithAssertion(t, r, h.validAssertion().sign(t), url.Values{"client_id": {hBasicID}})
	expectTokenError(t, tr, "invalid_client")
}

// tokens.code_lifetime (default 1 min; FAPI 2.0 at most 60 s) bounds how long a
// code can be redeemed, not the login's lifetime (15 min).
func TestSecurityCodeLifetime(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
	req := r.harnessRequest()
	code := r.expectCode(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state)
	h.clock.advance(2 * time.Minute)
	expectTokenError(t, r.redeem(t, code, req.verifier), "invalid_grant")
}

// CORS never allows credentials (the broker's endpoints take bearer tokens and
// client credentials, not cookies, from other origins), and pages that are not
// CORS endpoints answer no preflight.
func TestSecurityCORSOnLibraryRoutes(t *testing.T) {
	d := dev(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/keys"}, {http.MethodGet, "/userinfo"}, {http.MethodOptions, "/userinfo"},
		{http.MethodOptions, "/.well-known/openid-configuration"}, {http.MethodGet, "/end_session"},
		{http.MethodOptions, "/login/x"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, d.issuer+tc.path, nil)
			req.Header.Set("Origin", "https://spa.example")
			req.Header.Set("Access-Control-Request-Method", http.MethodGet)
			resp, err := newBrowser(t).c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.Header.Get("Access-Control-Allow-Credentials") == "true" {
				t.Errorf("Access-Control-Allow-Credentials: true for origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
			}
			if tc.path == "/login/x" && resp.Header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("a login page answers a CORS preflight: %q", resp.Header.Get("Access-Control-Allow-Origin"))
			}
		})
	}
}

// RFC 6750 §3.1: a revoked access token is invalid_token, 401 with
// WWW-Authenticate, not 403.
func TestSecurityRevokedTokenIsUnauthorized(t *testing.T) {
	d := dev(t)
	r := newRP(t, d, "")
	l := r.login(t, newBrowser(t), r.newRequest())
	expectTokenError(t, r.redeem(t, l.code, l.req.verifier), "invalid_grant")
	if status, _ := r.userinfo(t, "get", l.accessToken()); status != http.StatusUnauthorized {
		t.Errorf("userinfo with a revoked token: status %d, want 401", status)
	}
}
