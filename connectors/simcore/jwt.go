package simcore

import (
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// idToken signs the grant's ID token, and encrypts it to the client when the
// profile says so (nested: signed, then encrypted with cty JWT).
func (s *Server) idToken(c *Client, g *grant, tamper bool) (string, error) {
	claims := map[string]any{}
	for k, v := range g.idClaims {
		claims[k] = v
	}
	now := s.now()
	claims["iss"] = s.issuer
	claims["sub"] = g.sub
	claims["aud"] = c.ID
	claims["azp"] = c.ID
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(tokenLifetime).Unix()
	claims["auth_time"] = g.authTime.Unix()
	if g.req.Nonce != "" {
		claims["nonce"] = g.req.Nonce
	}
	signed, err := s.sign(claims)
	if err != nil {
		return "", err
	}
	if tamper {
		signed = tamperSignature(signed)
	}
	if !s.profile.Rules().EncryptTokens {
		return signed, nil
	}
	return encryptTo(c, signed)
}

func (s *Server) sign(claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return raw, nil
}

// encryptTo wraps a signed JWT in a JWE for the client's encryption key.
func encryptTo(c *Client, signed string) (string, error) {
	key := clientKey(c.JWKS, "enc")
	if key == nil {
		return "", fmt.Errorf("client %s has no encryption key", c.ID)
	}
	alg := jose.RSA_OAEP
	if key.Algorithm == string(jose.RSA_OAEP_256) {
		alg = jose.RSA_OAEP_256
	}
	enc, err := jose.NewEncrypter(jose.A128CBC_HS256,
		jose.Recipient{Algorithm: alg, Key: key.Key, KeyID: key.KeyID},
		(&jose.EncrypterOptions{}).WithContentType("JWT"),
	)
	if err != nil {
		return "", fmt.Errorf("encrypter: %w", err)
	}
	obj, err := enc.Encrypt([]byte(signed))
	if err != nil {
		return "", fmt.Errorf("encrypt: %w", err)
	}
	return obj.CompactSerialize()
}

// tamperSignature flips a bit in the middle of the signature, which keeps it
// well-formed base64url but wrong.
func tamperSignature(raw string) string {
	i := strings.LastIndex(raw, ".")
	sig := []byte(raw[i+1:])
	mid := len(sig) / 2
	if sig[mid] == 'A' {
		sig[mid] = 'B'
	} else {
		sig[mid] = 'A'
	}
	return raw[:i+1] + string(sig)
}
