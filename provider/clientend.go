package provider

import (
	"encoding/json"
	"slices"

	"github.com/portvakt/portvakt/provider/config"
)

// ChangeEndsTokens reports whether changing a client from before to after must
// revoke the tokens it holds: it was disabled; its credentials changed (secret,
// keys or authentication method), so a token may have been obtained by whoever
// held the old ones; or it lost a right (a role, a scope, a grant type) the tokens
// were issued under. Cosmetic changes (name, theme, redirect URIs) leave the
// tokens alone.
func ChangeEndsTokens(before, after config.Client) bool {
	before.ApplyDefaults()
	after.ApplyDefaults()
	if after.Disabled && !before.Disabled || before.AuthMethod != after.AuthMethod || before.SecretHash != after.SecretHash ||
		before.Secret != after.Secret || before.JWKSURL != after.JWKSURL || !jwksEqual(before.JWKS, after.JWKS) {
		return true
	}
	return lost(before.Roles, after.Roles) || lost(before.Scopes, after.Scopes) || lost(before.GrantTypes, after.GrantTypes)
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
