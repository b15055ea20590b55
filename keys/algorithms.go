package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
)

// ErrUnsupportedAlgorithm is returned for an algorithm outside SupportedAlgorithms.
var ErrUnsupportedAlgorithm = errors.New("keys: unsupported signing algorithm")

// rsaKeyBits is the RSA modulus size for RS256 and PS256. Each of the two algorithms
// gets its own key: one key per algorithm keeps rotation and retirement independent.
const rsaKeyBits = 2048

// SupportedAlgorithms lists the JWS algorithms a Manager can hold keys for.
func SupportedAlgorithms() []string {
	return []string{string(jose.RS256), string(jose.PS256), string(jose.ES256), string(jose.EdDSA)}
}

func checkAlgorithm(alg string) error {
	switch jose.SignatureAlgorithm(alg) {
	case jose.RS256, jose.PS256, jose.ES256, jose.EdDSA:
		return nil
	}
	return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
}

func generatePrivateKey(alg string) (crypto.Signer, error) {
	switch jose.SignatureAlgorithm(alg) {
	case jose.RS256, jose.PS256:
		return rsa.GenerateKey(rand.Reader, rsaKeyBits)
	case jose.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, private, err := ed25519.GenerateKey(rand.Reader)
		return private, err
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
}

// checkKeyType guards against a row whose key does not fit its algorithm, which
// would otherwise surface only as a failure to sign.
func checkKeyType(alg string, public any) error {
	ok := false
	switch jose.SignatureAlgorithm(alg) {
	case jose.RS256, jose.PS256:
		_, ok = public.(*rsa.PublicKey)
	case jose.ES256:
		k, isEC := public.(*ecdsa.PublicKey)
		ok = isEC && k.Curve == elliptic.P256()
	case jose.EdDSA:
		_, ok = public.(ed25519.PublicKey)
	default:
		return fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, alg)
	}
	if !ok {
		return fmt.Errorf("key of type %T does not fit algorithm %s", public, alg)
	}
	return nil
}
