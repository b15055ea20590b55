package provider_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// userinfoStatus calls /userinfo with the Authorization header as given.
func userinfoStatus(t *testing.T, b *broker, authorization string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/userinfo", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the broker dropped the connection: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// clientCredentialsToken gets a client_credentials access token for the client.
func clientCredentialsToken(t *testing.T, b *broker, client, secret, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if scope != "" {
		form.Set("scope", scope)
	}
	status, body := b.postForm(t, "/oauth/token", client, secret, form)
	if status != http.StatusOK {
		t.Fatalf("client_credentials for %s: status %d: %s", client, status, body)
	}
	return tokenFromJSON(t, string(body)).AccessToken
}

// Userinfo is about a person who logged in (OIDC Core §5.3): only an access token
// from an OpenID login opens it. Any other token is invalid_token, as RFC 6750 §3.1
// says, with the challenge that tells the client why.
func TestUserinfoOnlyForOpenIDLogins(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	login := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}).token.AccessToken
	if status, _, body := userinfoStatus(t, b, "Bearer "+login); status != http.StatusOK {
		t.Fatalf("userinfo with a login's token: status %d: %s", status, body)
	}
	for _, tc := range []struct{ name, token string }{
		{"admin client_credentials JWT", clientCredentialsToken(t, b, "tool", "tool-secret-0123456", "admin")},
		{"API client_credentials JWT", clientCredentialsToken(t, b, "api", "api-secret-01234567", "")},
		{"garbage", "not-a-token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, body := userinfoStatus(t, b, "Bearer "+tc.token)
			if status != http.StatusUnauthorized || !strings.Contains(h.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("status %d, WWW-Authenticate %q, body %s; want 401 with invalid_token", status, h.Get("WWW-Authenticate"), body)
			}
			if strings.Contains(body, `"sub"`) {
				t.Errorf("refused userinfo still answered claims: %s", body)
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		status, h, _ := userinfoStatus(t, b, "")
		if status != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") || strings.Contains(h.Get("WWW-Authenticate"), "error=") {
			t.Errorf("status %d, WWW-Authenticate %q; want 401 with a bare Bearer challenge (RFC 6750 §3.1)", status, h.Get("WWW-Authenticate"))
		}
	})
}
