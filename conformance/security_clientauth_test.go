package conformance_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// assertion builds a private_key_jwt client assertion (RFC 7523) for the
// harness's JWT client; edit changes the claims, sign the signature.
type assertion struct {
	claims map[string]any
	kid    string
	key    any
	alg    jose.SignatureAlgorithm
}

func (h *harness) validAssertion() *assertion {
	now := h.clock.now()
	return &assertion{
		claims: map[string]any{
			"iss": hJWTID, "sub": hJWTID, "aud": h.URL, "jti": randomString(),
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		},
		kid: hJWTKeyID, key: h.jwtKey, alg: jose.RS256,
	}
}

func (a *assertion) sign(t *testing.T) string {
	t.Helper()
	payload, err := json.Marshal(a.claims)
	if err != nil {
		t.Fatal(err)
	}
	if a.alg == "none" {
		enc := base64.RawURLEncoding.EncodeToString
		return enc([]byte(`{"alg":"none","kid":"`+a.kid+`"}`)) + "." + enc(payload) + "."
	}
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", a.kid)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: a.alg, Key: a.key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// redeemWithAssertion trades a fresh code of the JWT client with the assertion.
func (h *harness) redeemWithAssertion(t *testing.T, r *rp, clientAssertion string, extra url.Values) tokenResponse {
	t.Helper()
	req := r.harnessRequest()
	code := r.expectCode(t, newBrowser(t).authorize(r, http.MethodGet, req.params), req.state)
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {r.redirectURI}, "code_verifier": {req.verifier},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {clientAssertion},
	}
	for k, v := range extra {
		form[k] = v
	}
	httpReq, _ := http.NewRequest(http.MethodPost, h.URL+"/oauth/token", strings.NewReader(form.Encode()))
	httpReq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doToken(t, httpReq)
}

// RFC 7523 §3 and RFC 9700 §2.5: the assertion is checked for signature (by the
// client's registered key, RS256), iss = sub = client_id, aud, and expiry.
func TestSecurityClientAssertion(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hJWTID, "", "private_key_jwt")
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("valid", func(t *testing.T) {
		tr := h.redeemWithAssertion(t, r, h.validAssertion().sign(t), nil)
		r.checkTokenResponse(t, tr)
	})
	t.Run("valid with client_id", func(t *testing.T) {
		tr := h.redeemWithAssertion(t, r, h.validAssertion().sign(t), url.Values{"client_id": {hJWTID}})
		r.checkTokenResponse(t, tr)
	})
	refused := []struct {
		name string
		edit func(a *assertion)
	}{
		{"exp in the past", func(a *assertion) { a.claims["exp"] = h.clock.now().Add(-time.Minute).Unix() }},
		{"no exp", func(a *assertion) { delete(a.claims, "exp") }},
		{"wrong aud", func(a *assertion) { a.claims["aud"] = "https://other.example" }},
		{"no aud", func(a *assertion) { delete(a.claims, "aud") }},
		{"iss differs from sub", func(a *assertion) { a.claims["sub"] = hBasicID }},
		{"iss is another client", func(a *assertion) { a.claims["iss"], a.claims["sub"] = hBasicID, hBasicID }},
		{"alg none", func(a *assertion) { a.alg = "none" }},
		{"alg HS256 keyed with the public key", func(a *assertion) {
			der, _ := x509.MarshalPKIXPublicKey(&h.jwtKey.PublicKey)
			a.alg, a.key = jose.HS256, der
		}},
		{"unknown kid", func(a *assertion) { a.kid = "no-such-key" }},
		{"iat far in the future", func(a *assertion) {
			a.claims["iat"] = h.clock.now().Add(10 * time.Minute).Unix()
			a.claims["exp"] = h.clock.now().Add(11 * time.Minute).Unix()
		}},
		{"signed by another key", func(a *assertion) { a.key = otherKey }},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			a := h.validAssertion()
			tc.edit(a)
			expectTokenError(t, h.redeemWithAssertion(t, r, a.sign(t), nil), "invalid_client")
		})
	}
	t.Run("a secret-based client cannot switch to an assertion", func(t *testing.T) {
		basic := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
		a := h.validAssertion()
		a.claims["iss"], a.claims["sub"] = hBasicID, hBasicID
		expectTokenError(t, h.redeemWithAssertion(t, basic, a.sign(t), nil), "invalid_client")
	})
	t.Run("the JWT client cannot use a secret", func(t *testing.T) {
		jwtAsSecret := h.rpFor(t, hJWTID, "anything", "client_secret_basic")
		req := jwtAsSecret.harnessRequest()
		code := jwtAsSecret.expectCode(t, newBrowser(t).authorize(jwtAsSecret, http.MethodGet, req.params), req.state)
		expectTokenError(t, jwtAsSecret.redeem(t, code, req.verifier), "invalid_client")
	})
}

// The op library decodes JWT claims before it checks signatures, and its aud type
// used to panic on an array holding a non-string. Every endpoint that takes a JWT
// from outside must answer such a token with a 4xx, not a dropped connection.
func TestSecurityMalformedJWTAudience(t *testing.T) {
	h := newHarness(t)
	enc := base64.RawURLEncoding.EncodeToString
	bad := enc([]byte(`{"alg":"RS256","kid":"`+hJWTKeyID+`"}`)) + "." +
		enc([]byte(`{"iss":"`+hJWTID+`","sub":"`+hJWTID+`","aud":["x",1],"exp":4102444800}`)) + ".c2ln"
	form := func(v url.Values) (string, string) { return "application/x-www-form-urlencoded", v.Encode() }
	for _, tc := range []struct {
		name, method, path, bearer string
		body                       func() (string, string)
	}{
		{name: "client_assertion at token", method: http.MethodPost, path: "/oauth/token", body: func() (string, string) {
			return form(url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "client_assertion": {bad},
				"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}})
		}},
		{name: "id_token_hint at authorize", method: http.MethodGet, path: "/authorize?" + url.Values{"client_id": {hBasicID},
			"redirect_uri": {hRedirect}, "response_type": {"code"}, "scope": {"openid"}, "prompt": {"none"}, "id_token_hint": {bad}}.Encode()},
		{name: "id_token_hint at end_session", method: http.MethodGet, path: "/end_session?" + url.Values{"id_token_hint": {bad}}.Encode()},
		{name: "bearer at userinfo", method: http.MethodGet, path: "/userinfo", bearer: bad},
		{name: "access_token at userinfo", method: http.MethodPost, path: "/userinfo", body: func() (string, string) {
			return form(url.Values{"access_token": {bad}})
		}},
		{name: "client_assertion at introspect", method: http.MethodPost, path: "/oauth/introspect", body: func() (string, string) {
			return form(url.Values{"token": {"x"}, "client_assertion": {bad}, "client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}})
		}},
		{name: "token at revoke", method: http.MethodPost, path: "/revoke", body: func() (string, string) {
			return form(url.Values{"token": {bad}, "client_id": {hBasicID}, "client_secret": {hBasicSecret}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body *strings.Reader
			ctype := ""
			if tc.body != nil {
				var s string
				ctype, s = tc.body()
				body = strings.NewReader(s)
			} else {
				body = strings.NewReader("")
			}
			req, _ := http.NewRequest(tc.method, h.URL+tc.path, body)
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			resp, err := newBrowser(t).c.Do(req)
			if err != nil {
				t.Fatalf("the broker dropped the connection: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Errorf("status %d, want a 4xx", resp.StatusCode)
			}
		})
	}
}
