package conformance_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// oidcc-server: the happy code flow; the token response and the ID token (iss,
// aud, exp, iat, nonce, signature, kid) and state.
func testServer(t *testing.T, r *rp) {
	b := newBrowser(t)
	req := r.newRequest()
	l := r.login(t, b, req)
	if kid := jwsHeader(t, l.rawID)["kid"]; kid == "" || kid == nil {
		t.Errorf("ID token header has no kid")
	}
	if l.idToken.Issuer != r.issuer || !slices.Contains(l.idToken.Audience, r.clientID) {
		t.Errorf("iss %q aud %v", l.idToken.Issuer, l.idToken.Audience)
	}
	if !l.idToken.Expiry.After(l.idToken.IssuedAt) {
		t.Errorf("exp %v is not after iat %v", l.idToken.Expiry, l.idToken.IssuedAt)
	}
	if l.tokens.str("refresh_token") != "" {
		t.Errorf("a refresh token was issued, but refresh tokens are not supported")
	}
}

// oidcc-response-type-missing: without response_type the OP answers
// unsupported_response_type or invalid_request (or shows an error page).
func testResponseTypeMissing(t *testing.T, r *rp) {
	req := r.newRequest()
	req.params.Del("response_type")
	got := newBrowser(t).authorize(r, http.MethodGet, req.params)
	if got.Params == nil {
		expectErrorPage(t, got)
		return
	}
	if e := r.expectError(t, got, req.state); e != "invalid_request" && e != "unsupported_response_type" {
		t.Errorf("error %s, want invalid_request or unsupported_response_type", e)
	}
}

// oidcc-idtoken-signature: without naming an alg the client gets RS256, signed by
// a key in jwks_uri with that kid.
func testIDTokenSignature(t *testing.T, r *rp) {
	l := r.login(t, newBrowser(t), r.newRequest())
	h := jwsHeader(t, l.rawID)
	if h["alg"] != "RS256" {
		t.Errorf("alg %v, want the default RS256", h["alg"])
	}
	kid, _ := h["kid"].(string)
	keys := jwks(t, r)
	found := false
	for _, k := range keys {
		if k["kid"] == kid {
			found = true
			if k["kty"] != "RSA" || (k["use"] != nil && k["use"] != "sig") {
				t.Errorf("key %s: kty %v use %v", kid, k["kty"], k["use"])
			}
		}
	}
	if !found {
		t.Errorf("kid %q is not in jwks_uri", kid)
	}
}

// oidcc-idtoken-unsigned: the suite skips when none is not advertised. The broker
// never signs with none: it must not be advertised anywhere, and an unsigned copy
// of a real ID token must not be accepted as id_token_hint.
func testIDTokenUnsigned(t *testing.T, r *rp) {
	for _, field := range []string{"id_token_signing_alg_values_supported", "request_object_signing_alg_values_supported",
		"token_endpoint_auth_signing_alg_values_supported", "userinfo_signing_alg_values_supported"} {
		if algs, _ := r.meta[field].([]any); slices.ContainsFunc(algs, func(a any) bool { return strings.EqualFold(a.(string), "none") }) {
			t.Errorf("%s advertises none: %v", field, algs)
		}
	}
	b := newBrowser(t)
	l := r.login(t, b, r.newRequest())
	parts := strings.Split(l.rawID, ".")
	unsigned := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."
	req := r.newRequest()
	req.params.Set("prompt", "none")
	req.params.Set("id_token_hint", unsigned)
	got := b.authorize(r, http.MethodGet, req.params)
	if got.Params != nil && got.Params.Get("code") != "" {
		t.Fatalf("an unsigned id_token_hint was accepted")
	}
	if got.Params != nil {
		r.expectError(t, got, req.state)
	}
}

// oidcc-userinfo-get, -post-header, -post-body: userinfo answers for the token,
// with the ID token's sub. The body form is optional in the suite; the broker
// supports it.
func testUserinfo(how string) func(*testing.T, *rp) {
	return func(t *testing.T, r *rp) {
		l := r.login(t, newBrowser(t), r.newRequest())
		status, claims := r.userinfo(t, how, l.accessToken())
		if status != http.StatusOK {
			t.Fatalf("userinfo %s: status %d", how, status)
		}
		if claims["sub"] != l.idToken.Subject {
			t.Errorf("userinfo sub %v, ID token sub %q", claims["sub"], l.idToken.Subject)
		}
		if status, _ := r.userinfo(t, how, l.accessToken()+"x"); status != http.StatusUnauthorized {
			t.Errorf("userinfo %s with a wrong token: status %d, want 401", how, status)
		}
	}
}

// oidcc-ensure-request-without-nonce-succeeds-for-code-flow.
func testWithoutNonce(t *testing.T, r *rp) {
	req := r.newRequest()
	req.params.Del("nonce")
	l := r.login(t, newBrowser(t), req)
	if _, has := l.claims["nonce"]; has {
		t.Errorf("ID token has a nonce the request did not send: %v", l.claims["nonce"])
	}
}

// oidcc-scope-*: scopes the broker has no claims for (email, address, phone) are
// ignored, never an error; profile gives the profile claims in userinfo.
func testScope(scope string, profile bool) func(*testing.T, *rp) {
	return func(t *testing.T, r *rp) {
		req := r.newRequest()
		req.params.Set("scope", scope)
		l := r.login(t, newBrowser(t), req)
		status, claims := r.userinfo(t, "get", l.accessToken())
		if status != http.StatusOK {
			t.Fatalf("userinfo: status %d", status)
		}
		// MitID releases name and birthdate only; given_name and family_name come
		// with the eIDs that have them, and never without the profile scope.
		for _, c := range []string{"name", "birthdate"} {
			if _, has := claims[c]; has != profile {
				t.Errorf("userinfo claim %s present %v, want %v (scope %q)", c, has, profile, scope)
			}
		}
		for _, c := range []string{"given_name", "family_name"} {
			if _, has := claims[c]; has && !profile {
				t.Errorf("userinfo has %s without the profile scope", c)
			}
		}
		for _, c := range []string{"email", "email_verified", "address", "phone_number"} {
			if _, has := claims[c]; has {
				t.Errorf("userinfo has %s, a claim the broker does not hold", c)
			}
		}
		if granted := l.tokens.str("scope"); granted != "" {
			for _, s := range []string{"email", "address", "phone"} {
				if slices.Contains(strings.Fields(granted), s) {
					t.Errorf("token response grants scope %s it ignored: %q", s, granted)
				}
			}
		}
	}
}

// oidcc-alternate-happy-flow: scopes reversed and parameters reordered.
func testAlternateHappyFlow(t *testing.T, r *rp) {
	req := r.newRequest()
	req.params.Set("scope", "profile openid")
	keys := make([]string, 0, len(req.params))
	for k := range req.params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	slices.Reverse(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, url.QueryEscape(k)+"="+url.QueryEscape(req.params.Get(k)))
	}
	got := newBrowser(t).authorizeRaw(r, strings.Join(parts, "&"))
	l := r.finish(t, req, got)
	if _, has := l.claims["name"]; !has {
		t.Errorf("profile scope lost when listed first: %v", l.claims)
	}
}

// oidcc-display-*, oidcc-ensure-request-with-unknown-parameter-succeeds,
// oidcc-ui-locales, oidcc-claims-locales: parameters that must not cause an error.
func testIgnoredParam(name, value string) func(*testing.T, *rp) {
	return func(t *testing.T, r *rp) {
		req := r.newRequest()
		req.params.Set(name, value)
		r.login(t, newBrowser(t), req)
	}
}

// oidcc-login-hint: a hint the OP cannot use (buffy@<issuer host>) is no error.
func testLoginHint(t *testing.T, r *rp) {
	u, _ := url.Parse(r.issuer)
	req := r.newRequest()
	req.params.Set("login_hint", "buffy@"+u.Hostname())
	r.login(t, newBrowser(t), req)
}

// oidcc-ensure-request-with-acr-values-succeeds: the advertised values succeed
// and the acr returned is one of those requested (the suite warns otherwise).
func testACRValues(t *testing.T, r *rp) {
	advertised, _ := r.meta["acr_values_supported"].([]any)
	if len(advertised) < 2 {
		t.Fatalf("acr_values_supported %v", advertised)
	}
	asked := []string{advertised[0].(string), advertised[1].(string)}
	req := r.newRequest()
	req.params.Set("acr_values", strings.Join(asked, " "))
	l := r.login(t, newBrowser(t), req)
	if acr, _ := l.claims["acr"].(string); !slices.Contains(asked, acr) {
		t.Errorf("acr %q is not one of those requested %v", acr, asked)
	}
}

// oidcc-ensure-post-request-succeeds: the authorization request as a form POST.
func testPostRequest(t *testing.T, r *rp) {
	req := r.newRequest()
	got := newBrowser(t).authorize(r, http.MethodPost, req.params)
	r.finish(t, req, got)
}

// oidcc-server-client-secret-post: the happy flow with a client registered for
// client_secret_post; that client may not authenticate with Basic instead.
func testClientSecretPost(t *testing.T, r *rp) {
	post := r.withClient(postClientID, postClientSecret, "client_secret_post")
	req := post.newRequest()
	got := newBrowser(t).authorize(post, http.MethodGet, req.params)
	code := post.expectCode(t, got, req.state)
	basic := post.withClient(postClientID, postClientSecret, "client_secret_basic")
	expectTokenError(t, basic.redeem(t, code, req.verifier), "invalid_client")
	tr := post.redeem(t, code, req.verifier)
	post.checkTokenResponse(t, tr)
	post.verifyIDToken(t, tr.str("id_token"), req.nonce, tr.str("access_token"), code)
}

// oidcc-claims-essential: the claims parameter asks for name, essential, in
// userinfo; the broker releases it even without the profile scope.
func testClaimsEssential(t *testing.T, r *rp) {
	if r.meta["claims_parameter_supported"] != true {
		t.Fatalf("claims_parameter_supported is %v", r.meta["claims_parameter_supported"])
	}
	req := r.newRequest()
	req.params.Set("claims", `{"userinfo":{"name":{"essential":true}}}`)
	l := r.login(t, newBrowser(t), req)
	status, claims := r.userinfo(t, "get", l.accessToken())
	if status != http.StatusOK {
		t.Fatalf("userinfo: status %d", status)
	}
	if name, _ := claims["name"].(string); name == "" {
		t.Errorf("userinfo has no name though it was asked for as essential: %v", claims)
	}
}

// oidcc-ensure-request-with-valid-pkce-succeeds: S256 with the right verifier.
// Every module sends PKCE; this one also checks the verifier is enforced.
func testValidPKCE(t *testing.T, r *rp) {
	b := newBrowser(t)
	req := r.newRequest()
	got := b.authorize(r, http.MethodGet, req.params)
	code := r.expectCode(t, got, req.state)
	expectTokenError(t, r.redeem(t, code, randomString()+randomString()), "invalid_grant")
	req = r.newRequest()
	r.login(t, b, req)
}

func jwsHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	part, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("JWS header: %v", err)
	}
	return h
}

func jwks(t *testing.T, r *rp) []map[string]any {
	t.Helper()
	uri, _ := r.meta["jwks_uri"].(string)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, uri, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatalf("jwks_uri: %v", err)
	}
	return set.Keys
}
