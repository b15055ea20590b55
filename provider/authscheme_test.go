package provider_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Authentication schemes are case-insensitive (RFC 7235 §2.1, RFC 9110 §11.1):
// bearer, BEARER and Bearer are one scheme. Whatever the case, a JWT the op library
// cannot decode safely is refused with a 4xx before the library sees it, and a
// good token works.
func TestAuthSchemesAreCaseInsensitive(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	at := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}).token.AccessToken
	enc := base64.RawURLEncoding.EncodeToString
	bad := enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"x","sub":"x","aud":["x",1],"exp":4102444800}`)) + ".c2ln"

	for _, scheme := range []string{"bearer", "BEARER", "bEaReR", "DPoP", "dpop"} {
		for _, path := range []string{"/userinfo", "/oauth/introspect", "/revoke"} {
			t.Run(scheme+" "+path, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodPost, b.URL+path, strings.NewReader(url.Values{"token": {"x"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", scheme+" "+bad)
				expectClientError(t, req)
			})
		}
	}
	t.Run("DPoP proof header", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, b.URL+"/userinfo", nil)
		req.Header.Set("Authorization", "DPoP "+at)
		req.Header.Set("DPoP", bad)
		expectClientError(t, req)
	})
	for _, scheme := range []string{"basic", "BASIC"} {
		t.Run("client authentication with "+scheme, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, b.URL+"/oauth/introspect", strings.NewReader(url.Values{"token": {at}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", scheme+" "+base64.StdEncoding.EncodeToString([]byte("rp1:rp1-secret-0123456789")))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var v map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || v["active"] != true {
				t.Errorf("status %d, answer %v; want the active token", resp.StatusCode, v)
			}
		})
	}
	for _, scheme := range []string{"bearer", "BEARER", "Bearer"} {
		t.Run("valid token with "+scheme, func(t *testing.T) {
			if status, _, body := userinfoStatus(t, b, scheme+" "+at); status != http.StatusOK {
				t.Errorf("status %d: %s", status, body)
			}
		})
	}
}

// expectClientError sends req and wants a 4xx answer, not a dropped connection.
func expectClientError(t *testing.T, req *http.Request) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the broker dropped the connection: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("status %d, want a 4xx", resp.StatusCode)
	}
}
