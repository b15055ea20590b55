package simcore_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portvakt/portvakt/connectors/simcore"
)

// keyProfile takes only private_key_jwt and requires a kid.
type keyProfile struct{ plainProfile }

func (keyProfile) Rules() simcore.Rules {
	return simcore.Rules{Name: "Keys", ClientAuthMethods: []string{"private_key_jwt"}, RequireAssertionKID: true}
}

func signJWT(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestPrivateKeyJWT(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, err := simcore.New(simcore.Options{Issuer: srv.URL, Now: clk.Now}, keyProfile{},
		[]simcore.User{{NationalID: "A1", Name: "Test Person One"}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", s.Handler())
	jwks := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Use: "sig"}}}
	if err := s.RegisterClient(simcore.Client{ID: "kc", RedirectURIs: []string{redirectURI}, JWKS: &jwks}); err != nil {
		t.Fatal(err)
	}

	now := clk.Now()
	claims := func(jti string) map[string]any {
		return map[string]any{"iss": "kc", "sub": "kc", "aud": s.Issuer() + "/token", "jti": jti,
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
	}
	post := func(assertion string) (int, string) {
		resp, err := http.PostForm(s.Issuer()+"/token", url.Values{
			"grant_type": {"authorization_code"}, "code": {"unknown"}, "redirect_uri": {redirectURI},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {assertion},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Error
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name      string
		assertion string
		wantError string
	}{
		// A good assertion gets past client authentication to the (unknown) code.
		{"valid", signJWT(t, key, "k1", claims("j1")), "invalid_grant"},
		{"jti replayed", signJWT(t, key, "k1", claims("j1")), "invalid_client"},
		{"no kid", signJWT(t, key, "", claims("j2")), "invalid_client"},
		{"wrong key", signJWT(t, other, "k1", claims("j3")), "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := post(tt.assertion); got != tt.wantError {
				t.Fatalf("error %q, want %q", got, tt.wantError)
			}
		})
	}
	t.Run("request object signed by another key", func(t *testing.T) {
		ro := signJWT(t, other, "k1", map[string]any{"iss": "kc", "aud": s.Issuer(), "client_id": "kc",
			"redirect_uri": redirectURI, "response_type": "code", "scope": "openid"})
		resp, err := http.Get(s.Issuer() + "/authorize?" + url.Values{"request": {ro}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", resp.StatusCode)
		}
	})
}
