package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// introspect asks /oauth/introspect about token as the client (client_secret_basic)
// and returns the status and the decoded answer.
func introspect(t *testing.T, b *broker, client, secret, token string) (int, map[string]any) {
	t.Helper()
	status, body := b.postForm(t, "/oauth/introspect", client, secret, url.Values{"token": {token}})
	var v map[string]any
	_ = json.Unmarshal(body, &v)
	return status, v
}

// RFC 7662 §4: introspection answers only a caller entitled to the token: the
// client it was issued to. Anyone else learns nothing, not even that it exists.
func TestIntrospectionAnswersOnlyTheTokensAudience(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	at := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}).token.AccessToken

	if status, v := introspect(t, b, "rp1", "rp1-secret-0123456789", at); status != http.StatusOK || v["active"] != true || v["national_id"] != "199001012389" {
		t.Fatalf("the token's own client: status %d, %v", status, v)
	}
	for _, tc := range []struct{ name, client, secret string }{
		{"another relying party", "rp2", "rp2-secret-0123456789"},
		{"a client_credentials API client", "api", "api-secret-01234567"},
		{"an admin tool", "tool", "tool-secret-0123456"},
		{"a resource server for another audience", "rp2-api", "rp2-api-secret-012345"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, v := introspect(t, b, tc.client, tc.secret, at)
			if status != http.StatusOK || len(v) != 1 || v["active"] != false {
				t.Errorf("status %d, answer %v; want 200 and exactly {\"active\": false}", status, v)
			}
		})
	}
	t.Run("no client authentication", func(t *testing.T) {
		if status, v := introspect(t, b, "", "", at); status != http.StatusUnauthorized || v["active"] == true {
			t.Errorf("status %d, answer %v; want 401", status, v)
		}
	})
	t.Run("a client_credentials JWT", func(t *testing.T) {
		jwt := clientCredentialsToken(t, b, "tool", "tool-secret-0123456", "admin")
		if _, v := introspect(t, b, "tool", "tool-secret-0123456", jwt); v["active"] != true || v["client_id"] != "tool" {
			t.Errorf("its own client: %v", v)
		}
		if _, v := introspect(t, b, "rp1", "rp1-secret-0123456789", jwt); len(v) != 1 || v["active"] != false {
			t.Errorf("another client: %v; want exactly {\"active\": false}", v)
		}
	})
	t.Run("a public client", func(t *testing.T) {
		if status, _ := b.postForm(t, "/oauth/introspect", "", "", url.Values{"token": {at}, "client_id": {"public"}}); status != http.StatusUnauthorized {
			t.Errorf("status %d; want 401", status)
		}
	})
	t.Run("another client cannot revoke it", func(t *testing.T) {
		if status := revoke(t, b, "rp2", "rp2-secret-0123456789", at); status == http.StatusOK {
			t.Errorf("revocation by rp2: status %d, want a refusal", status)
		}
		if _, v := introspect(t, b, "rp1", "rp1-secret-0123456789", at); v["active"] != true {
			t.Errorf("rp2 revoked rp1's token: %v", v)
		}
	})
}

// A resource server registered for the token's audience may introspect it, and
// sees only the claims it could receive itself.
func TestIntrospectionByResourceServer(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	at := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}).token.AccessToken
	for _, tc := range []struct {
		name, client, secret string
		nationalID           bool
	}{
		{"may not receive national_id", "orders-api", "orders-api-secret-0123", false},
		{"may receive national_id", "kyc-api", "kyc-api-secret-012345", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, v := introspect(t, b, tc.client, tc.secret, at)
			if status != http.StatusOK || v["active"] != true || v["client_id"] != "rp1" || v["name"] != "Test Person" {
				t.Fatalf("status %d, answer %v; want the active token of rp1", status, v)
			}
			_, hasID := v["national_id"]
			_, hasCountry := v["country"]
			if hasID != tc.nationalID || hasCountry != tc.nationalID {
				t.Errorf("national_id shown = %v, country shown = %v; want %v: %v", hasID, hasCountry, tc.nationalID, v)
			}
		})
	}
	t.Run("a resource server cannot revoke it", func(t *testing.T) {
		if status := revoke(t, b, "orders-api", "orders-api-secret-0123", at); status == http.StatusOK {
			t.Errorf("revocation by a resource server: status %d, want a refusal", status)
		}
		if _, v := introspect(t, b, "rp1", "rp1-secret-0123456789", at); v["active"] != true {
			t.Errorf("a resource server revoked rp1's token: %v", v)
		}
	})
}
