package frejasig_test

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/evidence/frejasig"
)

func TestParseKeys(t *testing.T) {
	k := keys()
	cert, err := x509.ParseCertificate(k.userDER)
	if err != nil {
		t.Fatal(err)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&k.freja.PublicKey)
	pemFile := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.userDER})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("ignored")})) +
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &k.freja.PublicKey, KeyID: "freja-1", Algorithm: "RS256", Use: "sig"},
		{Key: k.other, KeyID: "private-given", Algorithm: "RS256", Use: "sig"},
	}})
	for _, tc := range []struct {
		name  string
		data  string
		count int
		ok    bool
	}{
		{"PEM certificate and public key", pemFile, 2, true},
		{"JWKS, a private key used for its public half", string(jwks), 2, true},
		{"nothing", "hello", 0, false},
		{"empty JWKS", `{"keys":[]}`, 0, false},
		{"broken JWKS", `{"keys":[{"kty":"RSA"}]}`, 0, false},
		{"broken certificate", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2}})), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := frejasig.ParseKeys([]byte(tc.data))
			if (err == nil) != tc.ok || len(got) != tc.count {
				t.Fatalf("ParseKeys = %d keys, %v; want %d", len(got), err, tc.count)
			}
			for _, key := range got {
				switch key.(type) {
				case *rsa.PublicKey, *ecdsa.PublicKey:
				default:
					t.Errorf("key of type %T", key)
				}
			}
		})
	}
	if keys := frejasig.CertificateKeys([]*x509.Certificate{cert}); len(keys) != 1 || !cert.PublicKey.(*ecdsa.PublicKey).Equal(keys[0]) {
		t.Errorf("CertificateKeys = %v", keys)
	}
}
