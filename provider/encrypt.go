package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/config"
)

// Encrypted ID tokens and userinfo (OIDC Core §10.2): the broker signs first,
// then encrypts the signed JWT to the client's key with use enc, as a nested
// JWT (cty JWT), so the client can tell who wrote it after it decrypted it.

// errNoEncryptionKey: the client asked for encrypted responses but publishes
// no key to encrypt them to.
var errNoEncryptionKey = errors.New("no key with use enc for the registered algorithm")

// encryptionKey is the client's key for alg: from its inline JWKS, or else
// its jwks_uri (fetched and cached like its signing keys).
func (s *base) encryptionKey(ctx context.Context, c *Client, alg string) (*jose.JSONWebKey, error) {
	set := c.jwks
	if set == nil && c.JWKSURL != "" {
		if err := config.ValidateHTTPSURL(c.JWKSURL); err != nil {
			return nil, fmt.Errorf("client %s: jwks_uri: %w", c.ID, err)
		}
		var err error
		if set, err = s.fetchJWKS(ctx, c.JWKSURL); err != nil {
			return nil, err
		}
	}
	if set == nil {
		return nil, fmt.Errorf("client %s: %w", c.ID, errNoEncryptionKey)
	}
	key := config.EncryptionKey(set, alg)
	if key == nil || !key.IsPublic() {
		return nil, fmt.Errorf("client %s: %s: %w", c.ID, alg, errNoEncryptionKey)
	}
	return key, nil
}

// canEncryptIDToken checks, before a code is used up, that the client's ID
// token can be encrypted as it is registered: a client that lost its key gets
// invalid_client and may redeem the code once it publishes one.
func (s *base) canEncryptIDToken(ctx context.Context, c *Client) error {
	if c.IDTokenEncryption.Alg == "" {
		return nil
	}
	_, err := s.encryptionKey(ctx, c, c.IDTokenEncryption.Alg)
	return noKeyError(c.IDTokenEncryption.Alg, err)
}

// noKeyError is the client's answer when its registration names an
// encryption it publishes no key for: invalid_client, not server_error.
func noKeyError(alg string, err error) error {
	if errors.Is(err, errNoEncryptionKey) {
		return oidc.ErrInvalidClient().WithDescription("the client publishes no key with use enc for %s", alg).WithParent(err)
	}
	return err
}

// encryptTo encrypts a signed JWT to the client as e says; without e.Alg it
// returns the JWT as it is.
func (s *base) encryptTo(ctx context.Context, c *Client, e Encryption, signed string) (string, error) {
	if e.Alg == "" {
		return signed, nil
	}
	key, err := s.encryptionKey(ctx, c, e.Alg)
	if err != nil {
		return "", noKeyError(e.Alg, err)
	}
	// The key's kid goes into the header, so the client knows which of its
	// keys to decrypt with.
	enc, err := jose.NewEncrypter(jose.ContentEncryption(e.Enc),
		jose.Recipient{Algorithm: jose.KeyAlgorithm(e.Alg), Key: key},
		(&jose.EncrypterOptions{}).WithContentType("JWT").WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("client %s: encrypter %s %s: %w", c.ID, e.Alg, e.Enc, err)
	}
	obj, err := enc.Encrypt([]byte(signed))
	if err != nil {
		return "", fmt.Errorf("client %s: encrypt: %w", c.ID, err)
	}
	return obj.CompactSerialize()
}
