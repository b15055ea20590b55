package provider_test

import (
	"reflect"
	"testing"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/wiretest"
	"github.com/portvakt/portvakt/provider"
)

// TestClientSettingsMapFromTheSchema: every run-time setting is mapped from the
// file's schema, so a setting added to ClientSettings and not mapped fails here;
// the secret in clear reaches the run time only as its hash.
func TestClientSettingsMapFromTheSchema(t *testing.T) {
	cl := fullConfigClient()
	got := provider.RuntimeSettings(cl)
	if unset := wiretest.Unset(got); len(unset) > 0 {
		t.Errorf("the mapping leaves ClientSettings' %v unset", unset)
	}
	if got.Theme != provider.ClientTheme(cl.Theme) || !reflect.DeepEqual(got.Audiences, cl.ResourceServer.Audiences) ||
		got.MinLoA != cl.MinLoA || got.SecretHash != cl.SecretHash {
		t.Errorf("mapped %+v\nfrom %+v", got, cl)
	}
	withSecret := cl
	withSecret.Secret, withSecret.SecretHash = "in-clear-0123456789", ""
	if got := provider.RuntimeSettings(withSecret).SecretHash; got != provider.HashSecret(withSecret.Secret) {
		t.Errorf("secret_hash %q, want the secret's hash", got)
	}
}

// TestClientSettingsRules: the run-time questions asked of a client, answered
// from its schema with the defaults applied.
func TestClientSettingsRules(t *testing.T) {
	secret := config.Client{ID: "rp", Secret: "rp-secret-0123456789"}
	both := config.Client{ID: "rp", Secret: "rp-secret-0123456789", AuthMethods: []string{"client_secret_basic", "client_secret_post"}}
	public := config.Client{ID: "spa"}
	keyed := config.Client{ID: "rp", JWKSURL: "https://rp.example/jwks"}
	api := config.Client{ID: "api", Secret: "api-secret-0123456789", GrantTypes: []string{"client_credentials"},
		ResourceServer: &config.ResourceServer{Audiences: []string{"rp-a"}}}
	for _, tc := range []struct {
		name   string
		cl     config.Client
		method string
		accept bool
		text   string
		grant  string
		has    bool
		aud    []string
		serves bool
	}{
		{"secret default basic", secret, "client_secret_basic", true, "client_secret_basic", "authorization_code", true, []string{"rp"}, false},
		{"secret refuses post", secret, "client_secret_post", false, "client_secret_basic", "client_credentials", false, nil, false},
		{"either secret method", both, "client_secret_post", true, "client_secret_basic or client_secret_post", "authorization_code", true, nil, false},
		{"public", public, "none", true, "none", "authorization_code", true, nil, false},
		{"public refuses a secret", public, "client_secret_basic", false, "none", "client_credentials", false, nil, false},
		{"keys", keyed, "private_key_jwt", true, "private_key_jwt", "authorization_code", true, nil, false},
		{"resource server", api, "client_secret_basic", true, "client_secret_basic", "client_credentials", true, []string{"other", "rp-a"}, true},
		{"resource server, other audience", api, "private_key_jwt", false, "client_secret_basic", "authorization_code", false, []string{"rp-b"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := provider.RuntimeSettings(tc.cl)
			if got := s.AcceptsAuthMethod(tc.method); got != tc.accept {
				t.Errorf("AcceptsAuthMethod(%s) = %v, want %v", tc.method, got, tc.accept)
			}
			if got := s.AuthMethodsText(); got != tc.text {
				t.Errorf("AuthMethodsText() = %q, want %q", got, tc.text)
			}
			if got := s.HasGrant(tc.grant); got != tc.has {
				t.Errorf("HasGrant(%s) = %v, want %v", tc.grant, got, tc.has)
			}
			if got := s.Serves(tc.aud); got != tc.serves {
				t.Errorf("Serves(%v) = %v, want %v", tc.aud, got, tc.serves)
			}
		})
	}
}
