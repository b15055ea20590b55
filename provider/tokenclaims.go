package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portvakt/portvakt/storage"
)

// A token's stored claims are what userinfo and introspection answer about the
// person: national id, names, birthdate and, with scope evidence, the upstream
// ID token. They are kept sealed under the master key, bound to the token id,
// so a database reader sees none of it and a blob copied into another token row
// does not open. The column holds JSON text, so the sealed blob is stored as a
// JSON string; a row in any other form (written before claims were sealed) is
// refused like a tampered one.

// errClaimsNotSealed marks a token row whose claims are not a sealed blob.
var errClaimsNotSealed = errors.New("token claims are not sealed")

// tokenClaimsAD binds sealed claims to their token row, in a namespace of their own.
func tokenClaimsAD(tokenID string) []byte { return []byte("token-claims:" + tokenID) }

// sealTokenClaims encodes and seals claims for the token tokenID.
func (s *grants) sealTokenClaims(tokenID string, claims any) (json.RawMessage, error) {
	plain, err := json.Marshal(claims)
	if err != nil {
		return nil, fmt.Errorf("encode token claims: %w", err)
	}
	sealed, err := s.codec.sealer.Seal(plain, tokenClaimsAD(tokenID))
	if err != nil {
		return nil, fmt.Errorf("seal token claims: %w", err)
	}
	return json.Marshal(base64.RawURLEncoding.EncodeToString(sealed))
}

// appendStoredClaims opens the token's sealed claims and hands each to
// appendClaim. Claims that do not open are refused (the caller answers
// invalid_token) and logged: they were tampered with, or written in clear.
func (s *grants) appendStoredClaims(ctx context.Context, t storage.Token, appendClaim func(string, any)) error {
	claims, err := s.openTokenClaims(t)
	if err != nil {
		s.logger.WarnContext(ctx, "stored token claims refused", "token_id", t.ID, "client_id", t.ClientID, "error", err)
		return err
	}
	for k, v := range claims {
		appendClaim(k, v)
	}
	return nil
}

func (s *grants) openTokenClaims(t storage.Token) (map[string]any, error) {
	var encoded string
	if err := json.Unmarshal(t.Claims, &encoded); err != nil {
		return nil, fmt.Errorf("token %s: %w", t.ID, errClaimsNotSealed)
	}
	sealed, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("token %s: %w", t.ID, errClaimsNotSealed)
	}
	plain, err := s.codec.sealer.Open(sealed, tokenClaimsAD(t.ID))
	if err != nil {
		return nil, fmt.Errorf("token %s: open claims: %w", t.ID, err)
	}
	var claims map[string]any
	if err := json.Unmarshal(plain, &claims); err != nil {
		return nil, fmt.Errorf("token %s: decode claims: %w", t.ID, err)
	}
	return claims, nil
}
