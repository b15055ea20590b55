package keys

import (
	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/op"
)

var (
	_ op.SigningKey = (*signingKey)(nil)
	_ op.Key        = (*publicKey)(nil)
)

// signingKey is a current key with its decrypted private part, as the provider signs
// with it.
type signingKey struct {
	id      string
	alg     jose.SignatureAlgorithm
	private any // *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey
}

func (k *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return k.alg }
func (k *signingKey) Key() any                                    { return k.private }
func (k *signingKey) ID() string                                  { return k.id }

// publicKey is one entry of the published JWKS.
type publicKey struct {
	id     string
	alg    jose.SignatureAlgorithm
	public any // *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
}

func (k *publicKey) ID() string                         { return k.id }
func (k *publicKey) Algorithm() jose.SignatureAlgorithm { return k.alg }
func (k *publicKey) Use() string                        { return "sig" }
func (k *publicKey) Key() any                           { return k.public }
