package provider_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// FuzzTokenRequest sends arbitrary bodies and Authorization headers to the token
// endpoint: never a 5xx or a panic, and tokens only in a 200.
func FuzzTokenRequest(f *testing.F) {
	fb := newFuzzBroker(f)
	verifier := oauth2.GenerateVerifier()
	code := fb.code(f, url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"acr_values": {"urn:portvakt:eid:se:test"}, "code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}})
	basic := "Basic " + b64("rp1:rp1-secret-0123456789")
	redeem := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpRedirect}, "code_verifier": {verifier}}
	f.Add(redeem.Encode(), basic, "application/x-www-form-urlencoded")
	f.Add(redeem.Encode(), "Basic "+b64("rp2:rp2-secret-0123456789"), "application/x-www-form-urlencoded")
	f.Add(redeem.Encode()+"&client_id=rp1&client_secret=rp1-secret-0123456789", "", "application/x-www-form-urlencoded")
	f.Add("grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fevil.example", basic, "application/x-www-form-urlencoded")
	f.Add("grant_type=refresh_token&refresh_token=x", basic, "application/x-www-form-urlencoded")
	f.Add("grant_type=password&username=a&password=b", "Basic "+b64("rp1"), "application/x-www-form-urlencoded")
	f.Add("grant_type=authorization_code&code=&code_verifier="+strings.Repeat("x", 200), "Basic !!!", "application/x-www-form-urlencoded")
	f.Add("grant_type=authorization_code&code=x&client_id=public", "", "application/x-www-form-urlencoded")
	f.Add(`{"grant_type":"authorization_code"}`, "Bearer x", "application/json")
	f.Add("grant_type=%zz&&&=", "Basic "+b64("%zz:%"), "multipart/form-data; boundary=x")
	f.Fuzz(func(t *testing.T, body, authorization, contentType string) {
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		checkTokenAnswer(t, fb.serve(t, req))
	})
}

// FuzzClientAssertion sends arbitrary private_key_jwt assertions (and client_id)
// with a code to the token endpoint.
func FuzzClientAssertion(f *testing.F) {
	fb := newFuzzBroker(f)
	now := time.Now()
	valid := fb.signAssertion(f, map[string]any{"iss": fuzzJWTClient, "sub": fuzzJWTClient, "aud": fuzzIssuer,
		"jti": "j1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	f.Add(valid, fuzzJWTClient, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add(valid, "rp1", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add(valid+"x", "", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add(fb.signAssertion(f, map[string]any{"iss": fuzzJWTClient, "sub": "rp1", "aud": []any{"x", 1}, "exp": "soon"}), "", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add(fb.signAssertion(f, map[string]any{"iss": nil, "aud": fuzzIssuer, "exp": 1e300, "iat": -1}), "", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJmdXp6LXBrand0In0.", "", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add("eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.e30.AAAA", "", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add("a.b.c.d.e", "", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	f.Add("...", "", "")
	f.Add("", fuzzJWTClient, "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
	f.Fuzz(func(t *testing.T, assertion, clientID, assertionType string) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {"not-a-code"}, "redirect_uri": {rpRedirect},
			"client_assertion_type": {assertionType}, "client_assertion": {assertion}}
		if clientID != "" {
			form.Set("client_id", clientID)
		}
		req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		checkTokenAnswer(t, fb.serve(t, req))
	})
}

func checkTokenAnswer(t *testing.T, resp *http.Response) {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK && strings.Contains(string(body), "access_token") {
		t.Fatalf("status %d with tokens: %.300s", resp.StatusCode, body)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
