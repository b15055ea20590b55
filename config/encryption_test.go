package config

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// encJWKS is a JWKS of the keys given, each with use enc.
func encJWKS(t *testing.T, keys ...any) map[string]any {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for i, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k, KeyID: "enc-" + string(rune('a'+i)), Use: "enc"})
	}
	raw, _ := json.Marshal(set)
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Encryption settings are checked when the client is: known algorithms only
// (never RSA1_5), enc only with alg, and a key with use enc of the type alg
// needs.
func TestTokenSecuritySettingsValidation(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	base := func() Client {
		return Client{ID: "rp", Secret: "rp-secret-0123456789", AuthMethod: "client_secret_basic", RedirectURIs: []string{"https://rp.example/cb"}}
	}
	for _, tc := range []struct {
		name   string
		change func(c *Client)
		want   string // a problem's start; empty for none
	}{
		{"RSA-OAEP-256 to an RSA key", func(c *Client) { c.JWKS, c.IDTokenEncryptionAlg = encJWKS(t, rsaKey.Public()), "RSA-OAEP-256" }, ""},
		{"ECDH-ES+A256KW to an EC key", func(c *Client) { c.JWKS, c.UserinfoEncryptionAlg = encJWKS(t, ecKey.Public()), "ECDH-ES+A256KW" }, ""},
		{"RSA1_5", func(c *Client) { c.JWKS, c.IDTokenEncryptionAlg = encJWKS(t, rsaKey.Public()), "RSA1_5" }, "id_token_encrypted_response_alg"},
		{"dir", func(c *Client) { c.JWKS, c.UserinfoEncryptionAlg = encJWKS(t, rsaKey.Public()), "dir" }, "userinfo_encrypted_response_alg"},
		{"unknown enc", func(c *Client) {
			c.JWKS, c.IDTokenEncryptionAlg, c.IDTokenEncryptionEnc = encJWKS(t, rsaKey.Public()), "RSA-OAEP-256", "A128GCM"
		}, "id_token_encrypted_response_enc"},
		{"enc without alg", func(c *Client) { c.IDTokenEncryptionEnc = "A256GCM" }, "id_token_encrypted_response_enc"},
		{"no keys", func(c *Client) { c.IDTokenEncryptionAlg = "RSA-OAEP-256" }, "jwks"},
		{"ECDH-ES with only an RSA key", func(c *Client) { c.JWKS, c.IDTokenEncryptionAlg = encJWKS(t, rsaKey.Public()), "ECDH-ES" }, "jwks"},
		{"a signing key only", func(c *Client) { c.JWKS, c.IDTokenEncryptionAlg = jwksOf(t, rsaKey.Public()), "RSA-OAEP-256" }, "jwks"},
		{"an Ed25519 key with use enc", func(c *Client) { c.JWKS = encJWKS(t, edPub) }, "jwks"},
		{"DPoP with client_credentials", func(c *Client) {
			c.DPoPBoundAccessTokens, c.GrantTypes = true, []string{"authorization_code", "client_credentials"}
		}, "dpop_bound_access_tokens"},
		{"DPoP with the code grant", func(c *Client) { c.DPoPBoundAccessTokens = true }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.change(&c)
			c.ApplyDefaults()
			problems := c.Validate([]string{"RS256"}, nil)
			got := strings.Join(problems, "; ")
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("problems %s; want none", got)
			case tc.want != "" && !strings.HasPrefix(got, tc.want) && !strings.Contains(got, "; "+tc.want):
				t.Errorf("problems %q; want one on %s", got, tc.want)
			}
		})
	}
}

// A client that chose Finnish Trust Network logins must receive its ID tokens
// and userinfo encrypted: the configuration names what is missing.
func TestFTNClientsNeedEncryption(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	cfg := func(c Client) *Config {
		return &Config{
			Issuer: "https://id.example", MasterKey: strings.Repeat("k", 44),
			Storage:    Storage{Driver: "sqlite", DSN: "x.db"},
			Connectors: []Connector{{ID: "fi-ftn", Type: "fiftn"}, {ID: "se-bankid", Type: "sebankid"}},
			Clients:    []Client{c},
		}
	}
	rp := func() Client {
		return Client{ID: "rp", Secret: "rp-secret-0123456789", AuthMethod: "client_secret_basic", RedirectURIs: []string{"https://rp.example/cb"}}
	}
	encrypted := func(c Client) Client {
		c.JWKS, c.IDTokenEncryptionAlg, c.UserinfoEncryptionAlg = encJWKS(t, rsaKey.Public()), "RSA-OAEP-256", "RSA-OAEP-256"
		return c
	}
	for _, tc := range []struct {
		name    string
		client  Client
		refused bool
	}{
		{"eids names FTN", func() Client { c := rp(); c.EIDs = []string{"fi-ftn"}; return c }(), true},
		{"countries names FI", func() Client { c := rp(); c.Countries = []string{"FI"}; return c }(), true},
		{"eids names FTN, encrypted", encrypted(func() Client { c := rp(); c.EIDs = []string{"fi-ftn"}; return c }()), false},
		{"Swedish only", func() Client { c := rp(); c.EIDs = []string{"se-bankid"}; return c }(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg(tc.client)
			c.ApplyDefaults()
			var ftn []string
			for _, p := range c.Validate() {
				if strings.Contains(p, "Finnish Trust Network") {
					ftn = append(ftn, p)
				}
			}
			if tc.refused != (len(ftn) == 2) {
				t.Errorf("FTN problems %q; want refused=%v (ID token and userinfo named)", ftn, tc.refused)
			}
		})
	}
}
