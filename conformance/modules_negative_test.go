package conformance_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// oidcc-codereuse: a code used a second time gives invalid_grant.
func testCodeReuse(t *testing.T, r *rp) {
	l := r.login(t, newBrowser(t), r.newRequest())
	expectTokenError(t, r.redeem(t, l.code, l.req.verifier), "invalid_grant")
}

// oidcc-codereuse-30seconds: the suite waits 30 s before the reuse. The broker's
// answer does not depend on time: a code is consumed atomically at its first
// redemption, and any later use is refused and revokes the tokens it issued, so
// the reuse is made at once here (the expired-code path is
// TestSecurityCodeReuseAfterExpiry, on a broker with an injected clock). The suite
// warns when the first access token still works; here that is an error.
func testCodeReuse30Seconds(t *testing.T, r *rp) {
	l := r.login(t, newBrowser(t), r.newRequest())
	if status, _ := r.userinfo(t, "get", l.accessToken()); status != http.StatusOK {
		t.Fatalf("userinfo before the reuse: status %d", status)
	}
	expectTokenError(t, r.redeem(t, l.code, l.req.verifier), "invalid_grant")
	if status, _ := r.userinfo(t, "get", l.accessToken()); status < 400 {
		t.Errorf("userinfo with the first access token after the code's reuse: status %d, want it refused (revoked)", status)
	}
}

// oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error
// page, never a redirect.
func testRegisteredRedirectURI(t *testing.T, r *rp) {
	req := r.newRequest()
	req.params.Set("redirect_uri", "https://evil.example/callback")
	expectErrorPage(t, newBrowser(t).authorize(r, http.MethodGet, req.params))
}

// oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported: the
// suite skips unless unsigned request objects are advertised. The broker
// advertises request_uri_parameter_supported=false and must answer
// request_uri_not_supported, not ignore the parameter.
func testRequestURIUnsupported(t *testing.T, r *rp) {
	if r.meta["request_uri_parameter_supported"] != false {
		t.Errorf("request_uri_parameter_supported %v, want false", r.meta["request_uri_parameter_supported"])
	}
	req := r.newRequest()
	req.params.Set("request_uri", "https://rp.example/request.jwt")
	got := newBrowser(t).authorize(r, http.MethodGet, req.params)
	if e := r.expectError(t, got, req.state); e != "request_uri_not_supported" {
		t.Errorf("error %s, want request_uri_not_supported", e)
	}
}

// oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported:
// request objects are supported signed only (none is not advertised), so an
// unsigned one is rejected with invalid_request_object at the query's
// registered redirect_uri. Ignoring it is a failure.
func testUnsignedRequestObjectRejected(t *testing.T, r *rp) {
	if r.meta["request_parameter_supported"] != true {
		t.Errorf("request_parameter_supported %v, want true", r.meta["request_parameter_supported"])
	}
	algs, _ := r.meta["request_object_signing_alg_values_supported"].([]any)
	if len(algs) == 0 || slices.Contains(algs, any("none")) {
		t.Errorf("request_object_signing_alg_values_supported %v, want signing algorithms and never none", algs)
	}
	req := r.newRequest()
	req.params.Set("request", unsignedJWT(t, requestClaims(req.params)))
	got := newBrowser(t).authorize(r, http.MethodGet, req.params)
	if e := r.expectError(t, got, req.state); e != "invalid_request_object" {
		t.Errorf("error %s, want invalid_request_object", e)
	}
}

// oidcc-ensure-request-object-with-redirect-uri: the request object names another
// redirect_uri than the query. An unverifiable object is refused, and the
// answer (invalid_request_object) goes to the query's registered
// redirect_uri, never to the request object's.
func testRequestObjectRedirectURI(t *testing.T, r *rp) {
	req := r.newRequest()
	claims := requestClaims(req.params)
	claims["redirect_uri"] = "https://evil.example/callback"
	req.params.Set("request", unsignedJWT(t, claims))
	got := newBrowser(t).authorize(r, http.MethodGet, req.params)
	if e := r.expectError(t, got, req.state); e != "invalid_request_object" {
		t.Errorf("error %s, want invalid_request_object", e)
	}
}

// oidcc-refresh-token: the suite skips when no refresh token is issued. The broker
// issues none, offline_access is ignored, and the refresh_token grant is
// unsupported_grant_type.
func testRefreshToken(t *testing.T, r *rp) {
	if grants, _ := r.meta["grant_types_supported"].([]any); slices.Contains(grants, any("refresh_token")) {
		t.Errorf("grant_types_supported %v advertises refresh_token", grants)
	}
	req := r.newRequest()
	req.params.Set("scope", "openid offline_access")
	req.params.Set("prompt", "consent")
	l := r.login(t, newBrowser(t), req)
	if rt := l.tokens.str("refresh_token"); rt != "" {
		t.Fatalf("a refresh token was issued")
	}
	tr := r.tokenRequest(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {l.accessToken()}})
	expectTokenError(t, tr, "unsupported_grant_type")
	client2 := r.withClient(client2ID, client2Secret, "client_secret_basic")
	expectTokenError(t, client2.tokenRequest(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}), "unsupported_grant_type")
}

// requestClaims is a request object repeating the query's parameters.
func requestClaims(q url.Values) map[string]any {
	out := map[string]any{}
	for k := range q {
		out[k] = q.Get(k)
	}
	return out
}

// unsignedJWT is an alg=none JWT, as the suite sends for unsigned request objects.
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"none"}`)) + "." + enc(payload) + "."
}
