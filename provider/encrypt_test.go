package provider_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider"
)

// encKeys are a relying party's decryption keys: an RSA and an EC key, each
// published with use enc, beside a signing key the broker must not pick.
type encKeys struct {
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
	jwks map[string]any
}

func newEncKeys(t *testing.T) *encKeys {
	t.Helper()
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: sig.Public(), KeyID: "sig-1", Use: "sig"},
		{Key: r.Public(), KeyID: "rsa-enc", Use: "enc"},
		{Key: e.Public(), KeyID: "ec-enc", Use: "enc"},
	}}
	raw, _ := json.Marshal(set)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return &encKeys{rsa: r, ec: e, jwks: m}
}

// decrypt opens a nested JWT as a client would with go-jose: the algorithms it
// accepts named, the key by kid, and the payload a signed JWT (cty JWT).
func (k *encKeys) decrypt(t *testing.T, compact, wantAlg, wantEnc string) string {
	t.Helper()
	obj, err := jose.ParseEncryptedCompact(compact,
		[]jose.KeyAlgorithm{jose.RSA_OAEP_256, jose.RSA_OAEP, jose.ECDH_ES, jose.ECDH_ES_A256KW},
		[]jose.ContentEncryption{jose.A256GCM, jose.A128CBC_HS256})
	if err != nil {
		t.Fatalf("not a JWE: %v: %.80s", err, compact)
	}
	h := obj.Header
	if h.Algorithm != wantAlg || h.ExtraHeaders["enc"] != wantEnc || h.ExtraHeaders[jose.HeaderContentType] != "JWT" {
		t.Errorf("JWE header alg %q enc %v cty %v; want %s %s JWT", h.Algorithm, h.ExtraHeaders["enc"], h.ExtraHeaders[jose.HeaderContentType], wantAlg, wantEnc)
	}
	var priv any = k.rsa
	want := "rsa-enc"
	if strings.HasPrefix(wantAlg, "ECDH") {
		priv, want = k.ec, "ec-enc"
	}
	if h.KeyID != want {
		t.Errorf("kid %q, want %q: the broker chose another key than the one with use enc", h.KeyID, want)
	}
	plain, err := obj.Decrypt(priv)
	if err != nil {
		t.Fatalf("decrypt: %v", err)
	}
	return string(plain)
}

// A client registered for encrypted ID tokens gets them signed, then
// encrypted to its use-enc key with the registered alg and enc; its signing
// key is never used for encryption. The decrypted token verifies as any other.
func TestEncryptedIDTokens(t *testing.T) {
	keys := newEncKeys(t)
	cases := []struct{ id, alg, enc string }{
		{"enc-rsa-oaep-256", "RSA-OAEP-256", "A256GCM"},
		{"enc-rsa-oaep", "RSA-OAEP", "A128CBC-HS256"},
		{"enc-ecdh-es", "ECDH-ES", "A256GCM"},
		{"enc-ecdh-es-kw", "ECDH-ES+A256KW", ""}, // enc defaults to A128CBC-HS256
	}
	b := newBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) {
		for _, c := range cases {
			cfg.Clients = append(cfg.Clients, config.Client{
				ID: c.id, Secret: c.id + "-secret-0123", AuthMethod: "client_secret_basic", RedirectURIs: []string{rpRedirect},
				JWKS: keys.jwks, IDTokenEncryptionAlg: c.alg, IDTokenEncryptionEnc: c.enc,
				Scopes: []string{"national_id"},
			})
		}
	})
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			g := dpopCode(t, b, c.id, c.id+"-secret-0123", url.Values{"scope": {"openid profile national_id"}})
			form := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {rpRedirect}, "code_verifier": {g.verifier}}
			status, body := b.postForm(t, "/oauth/token", c.id, c.id+"-secret-0123", form)
			var tok struct {
				IDToken string `json:"id_token"`
			}
			if err := json.Unmarshal(body, &tok); err != nil || status != http.StatusOK {
				t.Fatalf("token: %d %s", status, body)
			}
			if n := strings.Count(tok.IDToken, "."); n != 4 {
				t.Fatalf("ID token has %d dots, want a compact JWE (4)", n)
			}
			enc := c.enc
			if enc == "" {
				enc = "A128CBC-HS256"
			}
			signed := keys.decrypt(t, tok.IDToken, c.alg, enc)
			rp := newRP(t, b, c.id, "")
			idt, err := rp.verifier.Verify(context.Background(), signed)
			if err != nil {
				t.Fatalf("the decrypted ID token does not verify: %v", err)
			}
			var claims map[string]any
			_ = idt.Claims(&claims)
			if claims["national_id"] != "199001012389" {
				t.Errorf("claims %v; want the national id inside the encryption", claims)
			}
		})
	}
}

// A client registered for encrypted userinfo gets application/jwt: signed by
// the broker for that client (iss, aud), then encrypted to its key.
func TestEncryptedUserinfo(t *testing.T) {
	keys := newEncKeys(t)
	b := newBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) {
		cfg.Clients = append(cfg.Clients, config.Client{
			ID: "enc-ui", Secret: "enc-ui-secret-0123", AuthMethod: "client_secret_basic", RedirectURIs: []string{rpRedirect},
			JWKS: keys.jwks, UserinfoEncryptionAlg: "ECDH-ES+A256KW", UserinfoEncryptionEnc: "A256GCM",
		})
	})
	g := dpopCode(t, b, "enc-ui", "enc-ui-secret-0123", nil)
	tok := g.redeem(t, b)
	if tok.status != http.StatusOK {
		t.Fatalf("token: %d %s", tok.status, tok.Error)
	}
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/jwt" {
		t.Fatalf("userinfo: %d %s: %.100s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	signed := keys.decrypt(t, string(body), "ECDH-ES+A256KW", "A256GCM")
	ks := oidc.NewRemoteKeySet(context.Background(), b.URL+"/keys")
	payload, err := ks.VerifySignature(context.Background(), signed)
	if err != nil {
		t.Fatalf("the decrypted userinfo is not signed by the broker: %v", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if claims["iss"] != b.URL || claims["aud"] != "enc-ui" || claims["sub"] == "" || claims["name"] != "Test Person" {
		t.Errorf("userinfo claims %v; want iss, aud enc-ui, sub and name", claims)
	}
}

// A client whose jwks_uri holds a key with use enc gets its ID token
// encrypted to it; once the key is gone from there, the token endpoint says
// the client has no such key (invalid_client), before the code is used up,
// instead of answering unencrypted.
func TestEncryptionKeyFromJWKSURI(t *testing.T) {
	keys := newEncKeys(t)
	var published atomic.Value
	published.Store(keys.jwks)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(published.Load())
	}))
	t.Cleanup(jwks.Close)
	b := newBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) {
		cfg.Clients = append(cfg.Clients, config.Client{
			ID: "enc-uri", Secret: "enc-uri-secret-0123", AuthMethod: "client_secret_basic", RedirectURIs: []string{rpRedirect},
			JWKSURL: jwks.URL, IDTokenEncryptionAlg: "RSA-OAEP-256",
		})
	})
	redeem := func() (int, map[string]string) {
		g := dpopCode(t, b, "enc-uri", "enc-uri-secret-0123", nil)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {rpRedirect}, "code_verifier": {g.verifier}}
		status, body := b.postForm(t, "/oauth/token", "enc-uri", "enc-uri-secret-0123", form)
		var out map[string]string
		_ = json.Unmarshal(body, &out)
		return status, out
	}
	status, tok := redeem()
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, tok)
	}
	keys.decrypt(t, tok["id_token"], "RSA-OAEP-256", "A128CBC-HS256")

	// Only the signing key is left; the cached set expires after five minutes.
	only := keys.jwks["keys"].([]any)[:1]
	published.Store(map[string]any{"keys": only})
	b.clock.advance(6 * time.Minute)
	g := dpopCode(t, b, "enc-uri", "enc-uri-secret-0123", nil)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {g.code}, "redirect_uri": {rpRedirect}, "code_verifier": {g.verifier}}
	status, body := b.postForm(t, "/oauth/token", "enc-uri", "enc-uri-secret-0123", form)
	var out map[string]string
	_ = json.Unmarshal(body, &out)
	if status != http.StatusUnauthorized || out["error"] != "invalid_client" || out["id_token"] != "" {
		t.Errorf("token without an encryption key: %d %v; want 401 invalid_client and no ID token", status, out)
	}
	// The code was not used up: asked again, the answer is the same, not
	// invalid_grant for a used code.
	if status, body := b.postForm(t, "/oauth/token", "enc-uri", "enc-uri-secret-0123", form); status != http.StatusUnauthorized || !strings.Contains(string(body), "invalid_client") {
		t.Errorf("the code asked again: %d %s; want invalid_client again", status, body)
	}
}

// TestEncryptedOnlyEIDNeedsAnEncryptingClient: an eID whose identities may
// travel only in encrypted ID tokens (the Finnish Trust Network's rule) is not
// offered to a client without an encryption key, even one that allows every
// eID; a client with one logs in with it and gets a JWE.
func TestEncryptedOnlyEIDNeedsAnEncryptingClient(t *testing.T) {
	keys := newEncKeys(t)
	b := newBroker(t, func(cfg *config.Config, conns *[]connectors.Connector) {
		for i, c := range *conns {
			if tc, ok := c.(*testConnector); ok && tc.id == "fi-test" {
				(*conns)[i] = &testConnector{id: tc.id, country: tc.country, loa: tc.loa, encryptedOnly: true}
			}
		}
		cfg.Clients = append(cfg.Clients,
			config.Client{ID: "every-eid", Secret: "every-eid-secret-0123", AuthMethod: "client_secret_basic", RedirectURIs: []string{rpRedirect}},
			config.Client{ID: "encrypting", Secret: "encrypting-secret-0123", AuthMethod: "client_secret_basic", RedirectURIs: []string{rpRedirect},
				JWKS: keys.jwks, IDTokenEncryptionAlg: "RSA-OAEP-256", IDTokenEncryptionEnc: "A256GCM"})
	})
	ask := func(client string) url.Values {
		return b.authorize(t, browser(t), url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {rpRedirect}, "acr_values": {provider.ConnectorURN("fi-test")},
			"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}).Query()
	}
	if got := ask("every-eid"); got.Get("code") != "" || got.Get("error") != "unmet_authentication_requirements" {
		t.Errorf("a client without an encryption key: %v, want unmet_authentication_requirements", got)
	}
	if got := ask("encrypting"); got.Get("code") == "" {
		t.Errorf("a client with an encryption key: %v, want a code", got)
	}
}
