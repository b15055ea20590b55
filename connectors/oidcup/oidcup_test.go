package oidcup

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
)

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{`"10s"`, 10 * time.Second, false},
		{`"1.5s"`, 1500 * time.Millisecond, false},
		{`3`, 3 * time.Second, false},
		{`"soon"`, 0, true},
		{`true`, 0, true},
	}
	for _, tt := range tests {
		var d Duration
		err := json.Unmarshal([]byte(tt.in), &d)
		if (err != nil) != tt.wantErr || time.Duration(d) != tt.want {
			t.Errorf("%s: got %v, %v", tt.in, time.Duration(d), err)
		}
	}
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeys(t *testing.T) {
	sigKey, encKey := newKey(t), newKey(t)
	sigPEM, err := EncodeRSAPrivateKeyPEM(sigKey)
	if err != nil {
		t.Fatal(err)
	}
	encPEM, _ := EncodeRSAPrivateKeyPEM(encKey)
	encFile := filepath.Join(t.TempDir(), "enc.pem")
	if err := os.WriteFile(encFile, []byte(encPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	base := Options{Upstream: Upstream{Issuer: "https://op.example", ClientID: "c"}, RequireEncryptedIDToken: true}

	t.Run("inline and file keys are published", func(t *testing.T) {
		o := base
		o.SigningKeyPEM, o.EncryptionKeyFile = sigPEM, encFile
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		set := c.PublicJWKS()
		if len(set.Keys) != 2 || set.Keys[0].Use != "sig" || set.Keys[1].Use != "enc" {
			t.Fatalf("jwks %+v", set.Keys)
		}
		wantKID, _ := Thumbprint(&sigKey.PublicKey)
		if set.Keys[0].KeyID != wantKID || !set.Keys[0].IsPublic() || !set.Keys[1].IsPublic() {
			t.Fatalf("want public keys with thumbprint kids, got %+v", set.Keys)
		}
	})
	t.Run("missing keys are an error without generateKeys", func(t *testing.T) {
		if _, err := New(base); err == nil {
			t.Fatal("want an error")
		}
	})
	t.Run("generateKeys creates them", func(t *testing.T) {
		o := base
		o.GenerateKeys = true
		c, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.PublicJWKS().Keys) != 2 {
			t.Fatalf("want 2 keys, got %d", len(c.PublicJWKS().Keys))
		}
	})
	t.Run("secret auth without a secret", func(t *testing.T) {
		o := Options{Upstream: Upstream{Issuer: "https://op.example", ClientID: "c", ClientAuth: AuthClientSecretPost}}
		if _, err := New(o); err == nil {
			t.Fatal("want an error")
		}
	})
}

func TestOpenNested(t *testing.T) {
	encKey := newKey(t)
	encPEM, _ := EncodeRSAPrivateKeyPEM(encKey)
	c, err := New(Options{Upstream: Upstream{
		Issuer: "https://op.example", ClientID: "c", ClientSecret: "s", EncryptionKeyPEM: encPEM,
	}})
	if err != nil {
		t.Fatal(err)
	}
	const inner = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"
	encrypt := func(alg jose.KeyAlgorithm, enc jose.ContentEncryption, key *rsa.PublicKey, cty string) string {
		opts := &jose.EncrypterOptions{}
		if cty != "" {
			opts = opts.WithContentType(jose.ContentType(cty))
		}
		e, err := jose.NewEncrypter(enc, jose.Recipient{Algorithm: alg, Key: key}, opts)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := e.Encrypt([]byte(inner))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := obj.CompactSerialize()
		return s
	}
	tests := []struct {
		name     string
		raw      string
		required bool
		wantErr  bool
	}{
		{"RSA-OAEP A128CBC-HS256", encrypt(jose.RSA_OAEP, jose.A128CBC_HS256, &encKey.PublicKey, "JWT"), true, false},
		{"RSA-OAEP-256 A256GCM", encrypt(jose.RSA_OAEP_256, jose.A256GCM, &encKey.PublicKey, "JWT"), true, false},
		{"not nested", encrypt(jose.RSA_OAEP, jose.A128CBC_HS256, &encKey.PublicKey, ""), true, true},
		{"someone else's key", encrypt(jose.RSA_OAEP, jose.A128CBC_HS256, &newKey(t).PublicKey, "JWT"), true, true},
		{"plain when encryption is required", inner, true, true},
		{"plain when it is not", inner, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.openNested(tt.raw, tt.required)
			if tt.wantErr {
				if !errors.Is(err, connectors.ErrInvalidResponse) {
					t.Fatalf("got %v, want ErrInvalidResponse", err)
				}
				return
			}
			if err != nil || got != inner {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestClientAssertion(t *testing.T) {
	sigPEM, _ := EncodeRSAPrivateKeyPEM(newKey(t))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := New(Options{
		Upstream: Upstream{Issuer: "https://op.example", ClientID: "client-1", SigningKeyPEM: sigPEM},
		Now:      func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := c.clientAssertion("https://op.example/token")
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if jws.Signatures[0].Header.KeyID != c.signing.kid {
		t.Errorf("kid %q, want %q", jws.Signatures[0].Header.KeyID, c.signing.kid)
	}
	payload, err := jws.Verify(&c.signing.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	aud, _ := json.Marshal(claims["aud"])
	if claims["iss"] != "client-1" || claims["sub"] != "client-1" || !strings.Contains(string(aud), "https://op.example/token") ||
		claims["jti"] == "" || claims["iat"] != float64(now.Unix()) || claims["exp"].(float64) <= float64(now.Unix()) {
		t.Errorf("claims %v", claims)
	}
}
