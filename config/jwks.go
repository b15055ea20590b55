package config

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// minRSABits is the smallest RSA key a client may register (NIST SP 800-131A).
const minRSABits = 2048

// ParseJWKS decodes a client's inline JWKS and checks that every key is a usable
// public signing key: a private or symmetric key in a client's registration
// would be a secret on display, and a key that does not parse would only fail
// later, at the client's first login. The set holds the usable keys even when
// the error names a refused one, so a client stored before these rules keeps
// working with its good keys.
func (cl *Client) ParseJWKS() (*jose.JSONWebKeySet, error) {
	raw, err := json.Marshal(cl.JWKS)
	if err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	var keys struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &keys); err != nil || len(keys.Keys) == 0 {
		return nil, fmt.Errorf(`must be a JSON Web Key Set: {"keys": [...]} with at least one key`)
	}
	set := &jose.JSONWebKeySet{}
	var refused error
	for i, k := range keys.Keys {
		var key jose.JSONWebKey
		err := key.UnmarshalJSON(k)
		if err != nil {
			err = fmt.Errorf("key %d: not a valid JWK: %w", i, err)
		} else if err = checkPublicSigningKey(key); err != nil {
			name := fmt.Sprintf("key %d", i)
			if key.KeyID != "" {
				name = fmt.Sprintf("key %d (kid %q)", i, key.KeyID)
			}
			err = fmt.Errorf("%s: %w", name, err)
		}
		if err != nil {
			refused = cmp.Or(refused, err)
			continue
		}
		set.Keys = append(set.Keys, key)
	}
	return set, refused
}

func checkPublicSigningKey(key jose.JSONWebKey) error {
	switch k := key.Key.(type) {
	case []byte:
		return fmt.Errorf("is a symmetric (oct) key; register only public keys")
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		return fmt.Errorf("is a private key; register only the public part")
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return fmt.Errorf("is an RSA key of %d bits; at least %d are required", k.N.BitLen(), minRSABits)
		}
	case *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return fmt.Errorf("has an unsupported key type %T", key.Key)
	}
	if !key.Valid() {
		return fmt.Errorf("has invalid key material")
	}
	switch key.Use {
	case "", "sig":
	case "enc":
		if _, ok := key.Key.(ed25519.PublicKey); ok {
			return fmt.Errorf("is an Ed25519 key with use enc; encryption takes an RSA or EC key")
		}
	default:
		return fmt.Errorf("has use %q; a client's keys sign (use sig) or receive encrypted tokens (use enc)", key.Use)
	}
	return nil
}
