package config

import (
	"strings"
	"testing"
	"time"
)

// fapiClient is a client that meets the FAPI 2.0 profile.
func fapiClient() Client {
	return Client{ID: "bank", Profile: ProfileFAPI2, AuthMethod: "private_key_jwt", JWKSURL: "https://bank.example/jwks",
		IDTokenAlg: "PS256", RedirectURIs: []string{"https://bank.example/cb"}}
}

func TestValidateRequestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Client)
		want string
	}{
		{"fapi2 as registered", func(*Client) {}, ""},
		{"unknown profile", func(c *Client) { c.Profile = "fapi1" }, `profile: "fapi1" is not one of [fapi2]`},
		{"fapi2 with a secret", func(c *Client) {
			c.AuthMethod, c.JWKSURL, c.Secret = "client_secret_basic", "", "bank-secret-0123456789"
		},
			"token_endpoint_auth_method: the fapi2 profile needs private_key_jwt"},
		{"fapi2 with RS256 ID tokens", func(c *Client) { c.IDTokenAlg = "RS256" }, "id_token_signed_response_alg: the fapi2 profile needs one of [PS256 ES256 EdDSA]"},
		{"fapi2 with RS256 request objects", func(c *Client) { c.RequestObjectSigningAlg = "RS256" }, "request_object_signing_alg: the fapi2 profile allows only"},
		{"request objects signed with none", func(c *Client) { c.Profile, c.RequestObjectSigningAlg = "", "none" }, `request_object_signing_alg: "none" is not one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := fapiClient()
			tc.edit(&cl)
			cl.ApplyDefaults()
			got := strings.Join(cl.Validate([]string{"RS256", "PS256"}, nil), "\n")
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("problems %q; want %q", got, tc.want)
			}
		})
	}
}

func TestPushedRequestLifetime(t *testing.T) {
	if got := (AuthorizationRequests{}).Pushed(); got != time.Minute {
		t.Errorf("default pushed request lifetime %v, want 1m", got)
	}
	var p Problems
	AuthorizationRequests{PushedLifetime: Duration(10 * time.Minute)}.validate(&p)
	if len(p) != 1 || !strings.Contains(p[0], "authorization_requests.pushed_request_lifetime") {
		t.Errorf("a 10m lifetime: problems %v, want one naming the field (FAPI 2.0 needs < 600 s)", p)
	}
}
