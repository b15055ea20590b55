package provider

import (
	"context"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"github.com/zitadel/schema"
)

// The broker serves every endpoint with its own handlers and uses only parts
// of zitadel/oidc: its request types and parsers, the access token cipher and
// the verifiers of tokens it issued. It runs no op.Provider, so no op.Storage
// stubs exist for a route to reach by accident.

// newFormDecoder decodes request parameters as the library's provider did.
func newFormDecoder() *schema.Decoder {
	d := schema.NewDecoder()
	d.IgnoreUnknownKeys(true)
	return d
}

// accessTokenKeyID names the access token key in the encrypted tokens.
const accessTokenKeyID = "at1"

// newTokenCipher encrypts opaque access tokens (token id and subject) with
// AES-256-GCM and still opens those of the earlier AES-CFB scheme.
func newTokenCipher(key []byte) op.Crypto {
	var k [32]byte
	copy(k[:], key)
	gcm := op.NewAES256GCMCrypto(k, accessTokenKeyID)
	return op.NewCompositeCrypto(gcm, []op.Decrypter{gcm, op.NewAESCrypto(k)})
}

// ownKeySet verifies the signatures of tokens the broker issued (id_token_hint,
// JWT access tokens) with its published keys.
type ownKeySet struct{ keys KeyManager }

var _ oidc.KeySet = ownKeySet{}

func (k ownKeySet) VerifySignature(ctx context.Context, jws *jose.JSONWebSignature) ([]byte, error) {
	keys, err := k.keys.KeySet(ctx)
	if err != nil {
		return nil, fmt.Errorf("fetch keys: %w", err)
	}
	keyID, alg := oidc.GetKeyIDAndAlg(jws)
	key, err := oidc.FindMatchingKey(keyID, oidc.KeyUseSignature, alg, webKeys(keys)...)
	if err != nil {
		return nil, fmt.Errorf("invalid signature: %w", err)
	}
	return jws.Verify(&key)
}

func webKeys(keys []op.Key) []jose.JSONWebKey {
	out := make([]jose.JSONWebKey, len(keys))
	for i, k := range keys {
		out[i] = jose.JSONWebKey{KeyID: k.ID(), Algorithm: string(k.Algorithm()), Use: k.Use(), Key: k.Key()}
	}
	return out
}

func (s *base) idTokenHintVerifier() *op.IDTokenHintVerifier {
	return op.NewIDTokenHintVerifier(s.issuer, s.ownKeys)
}

func (s *base) accessTokenVerifier() *op.AccessTokenVerifier {
	return op.NewAccessTokenVerifier(s.issuer, s.ownKeys)
}

// clientKeys finds the keys of private_key_jwt clients for the library's
// assertion verifier.
type clientKeys struct{ b *base }

func (c clientKeys) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	client, err := c.b.clients.Get(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return client.publicKey(ctx, keyID, c.b.fetchJWKS)
}
