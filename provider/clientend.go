package provider

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/storage"
)

// ChangeEndsTokens reports whether changing a client from before to after must
// revoke the tokens it holds: it was disabled; its credentials changed (secret,
// keys or authentication method), so a token may have been obtained by whoever
// held the old ones; or it lost a right (a role, a scope, a grant type) the tokens
// were issued under. Cosmetic changes (name, theme, redirect URIs) leave the
// tokens alone.
func ChangeEndsTokens(before, after config.Client) bool {
	return after.Disabled && !before.Disabled || changeEndsTokens(settingsOf(before), settingsOf(after))
}

// changeEndsTokens is ChangeEndsTokens for two enabled clients.
func changeEndsTokens(before, after ClientSettings) bool {
	if before.AuthMethod != after.AuthMethod || before.SecretHash != after.SecretHash ||
		before.JWKSURL != after.JWKSURL || !jwksEqual(before.JWKS, after.JWKS) {
		return true
	}
	// Requiring DPoP ends the bearer tokens the client holds: none outlives the rule.
	return lost(before.Roles, after.Roles) || lost(before.Scopes, after.Scopes) || lost(before.GrantTypes, after.GrantTypes) ||
		after.RequiresDPoP() && !before.RequiresDPoP()
}

// lost reports whether an element of before is missing from after.
func lost(before, after []string) bool {
	for _, v := range before {
		if !slices.Contains(after, v) {
			return true
		}
	}
	return false
}

func jwksEqual(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && jsonEqual(x, y)
}

// record is the version of the client's stored record this process knows.
func (c *Client) record() storage.ClientRecord {
	return storage.ClientRecord{CreatedAt: c.createdAt, Version: c.version}
}

// createToken stores a token issued to client, on condition that the client's
// record is still the one this process authenticated it against. When the cache
// was stale (another process changed the client within the last refresh
// interval), it refreshes: a change that ends tokens, a deletion or disabling
// refuses the token as invalid_client; any other change is taken in its stride.
func (s *grants) createToken(ctx context.Context, client *Client, t storage.Token) error {
	t.IssuedUnder = client.record()
	err := s.store.CreateToken(ctx, t)
	if !errors.Is(err, storage.ErrConflict) {
		return err
	}
	if err := s.clients.Refresh(ctx); err != nil {
		return err
	}
	current, err := s.clients.Get(ctx, client.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return oidc.ErrInvalidClient().WithDescription("the client no longer exists or is disabled").WithParent(err)
	case err != nil:
		return err
	case !current.createdAt.Equal(client.createdAt) || changeEndsTokens(client.ClientSettings, current.ClientSettings):
		return oidc.ErrInvalidClient().WithDescription("the client's credentials or rights changed; authenticate again")
	}
	t.IssuedUnder = current.record()
	return s.store.CreateToken(ctx, t)
}
