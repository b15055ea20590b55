package oidcup

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/go-jose/go-jose/v4"
)

// rsaKeyBits is the size of generated development keys.
const rsaKeyBits = 2048

// keyPair is one of the client's own keys with its key id.
type keyPair struct {
	priv *rsa.PrivateKey
	kid  string
}

// loadKey reads an RSA private key from inline PEM or a file. It returns nil, nil
// when neither is set.
func loadKey(what, inline, file string) (*keyPair, error) {
	data := []byte(inline)
	if inline == "" && file != "" {
		b, err := os.ReadFile(file) //nolint:gosec // G304: the operator names the key file in the configuration
		if err != nil {
			return nil, fmt.Errorf("%s key: %w", what, err)
		}
		data = b
	}
	if len(data) == 0 {
		return nil, nil
	}
	priv, err := ParseRSAPrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s key: %w", what, err)
	}
	return newKeyPair(priv)
}

// ParseRSAPrivateKeyPEM reads a PKCS#1 or PKCS#8 RSA private key.
func ParseRSAPrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	rsaKey, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key is %T, want RSA", k)
	}
	return rsaKey, nil
}

// EncodeRSAPrivateKeyPEM writes key as PKCS#8 PEM, the form the config accepts.
func EncodeRSAPrivateKeyPEM(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("marshal private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

func generateKeyPair() (*keyPair, error) {
	priv, err := rsa.GenerateKey(rand.Reader, rsaKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return newKeyPair(priv)
}

func newKeyPair(priv *rsa.PrivateKey) (*keyPair, error) {
	if priv.N.BitLen() < rsaKeyBits {
		return nil, fmt.Errorf("rsa key has %d bits, want at least %d", priv.N.BitLen(), rsaKeyBits)
	}
	kid, err := Thumbprint(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return &keyPair{priv: priv, kid: kid}, nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of a public key, used as its kid.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("key thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(tp), nil
}

// s256 is the PKCE S256 challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
