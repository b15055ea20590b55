package frejasig

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// ParseKeys reads Freja's result-signing keys: PEM certificates or public
// keys (several during a key rollover), or a JWKS. Only RSA and EC public
// keys are kept; a file with none is an error.
func ParseKeys(data []byte) ([]crypto.PublicKey, error) {
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		return parseJWKS(trimmed)
	}
	var keys []crypto.PublicKey
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		var key crypto.PublicKey
		switch block.Type {
		case "CERTIFICATE":
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("frejasig: parse certificate: %w", err)
			}
			key = cert.PublicKey
		case "PUBLIC KEY":
			k, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("frejasig: parse public key: %w", err)
			}
			key = k
		default:
			continue
		}
		if err := usable(key); err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("frejasig: no certificate, public key or JWKS found")
	}
	return keys, nil
}

func parseJWKS(data []byte) ([]crypto.PublicKey, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("frejasig: parse JWKS: %w", err)
	}
	var keys []crypto.PublicKey
	for _, k := range set.Keys {
		// A private key in the file is used for its public half only.
		pub := k.Public()
		if !pub.Valid() {
			continue
		}
		if err := usable(pub.Key); err != nil {
			return nil, err
		}
		keys = append(keys, pub.Key)
	}
	if len(keys) == 0 {
		return nil, errors.New("frejasig: the JWKS has no public key")
	}
	return keys, nil
}

// CertificateKeys are the public keys of certs, for Verify.
func CertificateKeys(certs []*x509.Certificate) []crypto.PublicKey {
	keys := make([]crypto.PublicKey, 0, len(certs))
	for _, c := range certs {
		keys = append(keys, c.PublicKey)
	}
	return keys
}

func usable(key crypto.PublicKey) error {
	switch key.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return nil
	}
	return fmt.Errorf("frejasig: unsupported key type %T", key)
}
