package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// jwksOf is a JWKS document holding keys as they marshal.
func jwksOf(t *testing.T, keys ...any) map[string]any {
	t.Helper()
	var list []json.RawMessage
	for _, k := range keys {
		if raw, ok := k.(string); ok {
			list = append(list, json.RawMessage(raw))
			continue
		}
		b, err := jose.JSONWebKey{Key: k, KeyID: "k1", Algorithm: "RS256"}.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, b)
	}
	var doc map[string]any
	b, _ := json.Marshal(map[string]any{"keys": list})
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// A client registered from the file or the admin API goes through one
// validation: every field an attacker with admin access could abuse is checked.
func TestClientInputValidation(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	offCurve := `{"kty":"EC","crv":"P-256","kid":"bad","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`
	smallRSA := `{"kty":"RSA","kid":"small","n":"AQAB","e":"AQAB"}`
	base := func() Client {
		return Client{ID: "shop", Secret: "a-long-shop-secret", RedirectURIs: []string{"https://shop.example/cb"}}
	}
	for _, tc := range []struct {
		name   string
		change func(*Client)
		want   string // "" when valid
	}{
		{"plain id", func(c *Client) { c.ID = "Shop-1.a_b~c" }, ""},
		{"id dot dot", func(c *Client) { c.ID = ".." }, "id:"},
		{"id dot", func(c *Client) { c.ID = "." }, "id:"},
		{"id newline", func(c *Client) { c.ID = "shop\nadmin" }, "id:"},
		{"id right-to-left override", func(c *Client) { c.ID = "shop\u202egpj" }, "id:"},
		{"id 65 characters", func(c *Client) { c.ID = strings.Repeat("a", 65) }, "id:"},
		{"id 64 characters", func(c *Client) { c.ID = strings.Repeat("a", 64) }, ""},
		{"id percent", func(c *Client) { c.ID = "a%2e" }, "id:"},

		{"jwks_uri https", func(c *Client) { c.Secret, c.JWKSURL = "", "https://shop.example/jwks" }, ""},
		{"jwks_uri loopback http", func(c *Client) { c.Secret, c.JWKSURL = "", "http://127.0.0.1:9000/jwks" }, ""},
		{"jwks_uri file", func(c *Client) { c.Secret, c.JWKSURL = "", "file://localhost/etc/passwd" }, "jwks_uri:"},
		{"jwks_uri gopher", func(c *Client) { c.Secret, c.JWKSURL = "", "gopher://127.0.0.1:25/_HELO" }, "jwks_uri:"},
		{"jwks_uri http", func(c *Client) { c.Secret, c.JWKSURL = "", "http://shop.example/jwks" }, "jwks_uri:"},
		{"jwks_uri user info", func(c *Client) { c.Secret, c.JWKSURL = "", "https://a:b@shop.example/jwks" }, "jwks_uri:"},

		{"support_url https", func(c *Client) { c.Theme.SupportURL = "https://shop.example/help" }, ""},
		{"support_url mailto", func(c *Client) { c.Theme.SupportURL = "mailto:help@shop.example" }, ""},
		{"support_url javascript", func(c *Client) { c.Theme.SupportURL = "javascript://127.0.0.1/%0aalert(1)" }, "theme.support_url"},
		{"support_url http", func(c *Client) { c.Theme.SupportURL = "http://shop.example/help" }, "theme.support_url"},
		{"logo_url data image", func(c *Client) { c.Theme.LogoURL = "data:image/png;base64,iVBORw0KGgo=" }, ""},
		{"logo_url static", func(c *Client) { c.Theme.LogoURL = "/static/logo.svg" }, ""},
		{"logo_url data html", func(c *Client) { c.Theme.LogoURL = "data:text/html,<script>alert(1)</script>" }, "theme.logo_url"},
		{"logo_url javascript", func(c *Client) { c.Theme.LogoURL = "javascript://localhost/%0aalert(1)" }, "theme.logo_url"},
		{"logo_url static escape", func(c *Client) { c.Theme.LogoURL = "/static/../admin/" }, "theme.logo_url"},
		{"redirect_uri javascript loopback", func(c *Client) { c.RedirectURIs = []string{"javascript://127.0.0.1/%0aalert(1)"} }, "redirect_uris:"},
		{"redirect_uri too long", func(c *Client) {
			c.RedirectURIs = []string{"https://shop.example/" + strings.Repeat("a", MaxURLLength)}
		}, "redirect_uris:"},
		{"post_logout file", func(c *Client) { c.PostLogoutRedirectURIs = []string{"file://localhost/x"} }, "post_logout_redirect_uris:"},

		{"jwks public RSA", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, &rsaKey.PublicKey) }, ""},
		{"jwks public EC", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, &ecKey.PublicKey) }, ""},
		{"jwks private RSA", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, rsaKey) }, `jwks: key 0 (kid "k1"): is a private key`},
		{"jwks private EC", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, ecKey) }, "is a private key"},
		{"jwks symmetric", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, []byte("0123456789abcdef0123456789abcdef")) }, "symmetric (oct)"},
		{"jwks off the curve", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, &ecKey.PublicKey, offCurve) }, "jwks: key 1"},
		{"jwks small RSA", func(c *Client) { c.Secret, c.JWKS = "", jwksOf(t, smallRSA) }, `kid "small"`},
		{"jwks no keys", func(c *Client) { c.Secret, c.JWKS = "", map[string]any{"keys": []any{}} }, "jwks:"},
		{"jwks not a set", func(c *Client) { c.Secret, c.JWKS = "", map[string]any{"kty": "RSA"} }, "jwks:"},

		{"sector", func(c *Client) { c.Sector = "shops.example" }, ""},
		{"sector with newline", func(c *Client) { c.Sector = "a\nb" }, "sector:"},
		{"name with right-to-left override", func(c *Client) { c.Name = "Bank\u202e" }, "name:"},
		{"display name too long", func(c *Client) { c.Theme.DisplayName = strings.Repeat("x", 201) }, "theme.display_name:"},
		{"purpose over two lines", func(c *Client) { c.Purpose = "To open\nyour account.\n" }, ""},
		{"purpose with an escape", func(c *Client) { c.Purpose = "To open\x1b[2J your account." }, "purpose:"},
		{"name in Swedish", func(c *Client) { c.Name = "Åkes Bageri" }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.change(&c)
			c.ApplyDefaults()
			problems := strings.Join(c.Validate([]string{"RS256"}, nil), "\n")
			switch {
			case tc.want == "" && problems != "":
				t.Errorf("refused: %s", problems)
			case tc.want != "" && !strings.Contains(problems, tc.want):
				t.Errorf("problems %q; want one mentioning %q", problems, tc.want)
			}
		})
	}
}

// A sector is its own namespace: it may not be another client's id, in either
// order of registration, or the two clients would share pairwise subjects.
func TestSectorMayNotNameAnotherClient(t *testing.T) {
	cfg := Config{Issuer: "https://login.example", MasterKey: "k", Storage: Storage{Driver: "sqlite", DSN: "x"}, Clients: []Client{
		{ID: "bank", Secret: "a-long-bank-secret", RedirectURIs: []string{"https://bank.example/cb"}},
		{ID: "tracker", Secret: "a-long-tracker-secret", RedirectURIs: []string{"https://tracker.example/cb"}, Sector: "bank"},
		{ID: "shop-a", Secret: "a-long-shop-secret", RedirectURIs: []string{"https://a.example/cb"}, Sector: "shops"},
		{ID: "shop-b", Secret: "a-long-shop-secret", RedirectURIs: []string{"https://b.example/cb"}, Sector: "shops"},
		{ID: "self", Secret: "a-long-self-secret", RedirectURIs: []string{"https://self.example/cb"}, Sector: "self"},
	}}
	cfg.ApplyDefaults()
	problems := strings.Join(cfg.Validate(), "\n")
	for _, want := range []string{`clients[tracker].sector: "bank" is the id of another client`, `clients[bank].id: "bank" is the sector of client "tracker"`} {
		if !strings.Contains(problems, want) {
			t.Errorf("problems do not say %q:\n%s", want, problems)
		}
	}
	for _, fine := range []string{"shop-a", "shop-b", "clients[self]"} {
		if strings.Contains(problems, fine) {
			t.Errorf("a shared sector or a client's own id as sector was refused:\n%s", problems)
		}
	}
}
