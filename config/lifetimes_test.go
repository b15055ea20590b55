package config

import (
	"strings"
	"testing"
)

// TestLifetimeCaps: every lifetime of a credential has a cap, and a value past it
// is refused with a message naming the field and the cap; the cap itself passes.
func TestLifetimeCaps(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		// want is in the error; empty means the configuration is valid.
		want string
	}{
		{"access token 10 years", "tokens: {access_token_lifetime: 87600h}", "tokens.access_token_lifetime: 87600h0m0s is longer than the cap of 1h0m0s"},
		{"access token at the cap", "tokens: {access_token_lifetime: 1h}", ""},
		{"id token 10 years", "tokens: {id_token_lifetime: 87600h}", "tokens.id_token_lifetime: 87600h0m0s is longer than the cap of 24h0m0s"},
		{"id token at the cap", "tokens: {id_token_lifetime: 24h}", ""},
		{"code", "tokens: {code_lifetime: 1h}", "tokens.code_lifetime: 1h0m0s is longer than the cap of 10m0s"},
		{"negative access token", "tokens: {access_token_lifetime: -1h}", "tokens.access_token_lifetime: -1h0m0s must not be negative"},
		{"login state", "login: {lifetime: 87600h}", "login.lifetime: 87600h0m0s is longer than the cap of 1h0m0s"},
		{"sso session", "login: {session_lifetime: 87600h}", "login.session_lifetime: 87600h0m0s is longer than the cap of 24h0m0s"},
		{"negative sso session", "login: {session_lifetime: -1h}", "login.session_lifetime: -1h0m0s must not be negative"},
		{"client access token", "clients: [{id: shop, secret: a-long-shop-secret, redirect_uris: [https://shop.example/cb], access_token_lifetime: 87600h}]",
			"clients[shop].access_token_lifetime: 87600h0m0s is longer than the cap of 1h0m0s"},
		{"client_credentials token", "clients: [{id: api, secret: a-long-api-secret, grant_types: [client_credentials], access_token_lifetime: 2h}]",
			"clients[api].access_token_lifetime: 2h0m0s is longer than the cap of 1h0m0s"},
		{"client id token", "clients: [{id: shop, secret: a-long-shop-secret, redirect_uris: [https://shop.example/cb], id_token_lifetime: 87600h}]",
			"clients[shop].id_token_lifetime: 87600h0m0s is longer than the cap of 24h0m0s"},
		{"key retention shorter than a client's id token", "keys: {retention: 2h}\nclients: [{id: shop, secret: a-long-shop-secret, redirect_uris: [https://shop.example/cb], id_token_lifetime: 24h}]",
			"keys.retention: 2h0m0s is too short"},
		{"client at the caps", "clients: [{id: shop, secret: a-long-shop-secret, redirect_uris: [https://shop.example/cb], id_token_lifetime: 24h, access_token_lifetime: 1h}]", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "issuer: https://login.example.com\nmaster_key: k\nstorage: {driver: sqlite, dsn: x.db}\n" + tc.yaml + "\n"
			_, err := Parse([]byte(doc), env(nil))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
