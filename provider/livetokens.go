package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/storage"
)

// revokeTokenOf revokes a token of the caller (RFC 7009): an unknown token is
// not an error, another client's is.
func (s *grants) revokeTokenOf(ctx context.Context, tokenID, callerID string) *oidc.Error {
	t, err := s.store.GetToken(ctx, tokenID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != callerID {
		return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
	}
	if err := s.store.RevokeToken(ctx, t.ID, s.now()); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

// liveToken returns a token that exists, is not expired and is not revoked, of a
// client that is still there and enabled.
func (s *grants) liveToken(ctx context.Context, id string) (storage.Token, error) {
	t, _, err := s.liveTokenOfClient(ctx, id)
	return t, err
}

// liveTokenOfClient is liveToken that also returns the token's client as it is now.
// The token row decides exactly, on every replica: changes that end a client's
// tokens revoke them in storage, and a replica whose cache is stale cannot issue
// one (createToken). The client check (through the cache, so no extra round
// trip) is the second line: it refuses the tokens of a deleted or disabled
// client should their revocation have failed, and those of an earlier client
// with the same id.
func (s *grants) liveTokenOfClient(ctx context.Context, id string) (storage.Token, *Client, error) {
	t, err := s.store.GetToken(ctx, id)
	if err != nil {
		return t, nil, fmt.Errorf("token %s: %w", id, err)
	}
	if !t.RevokedAt.IsZero() {
		return t, nil, fmt.Errorf("token %s: revoked", id)
	}
	client, err := s.clients.Get(ctx, t.ClientID)
	if err != nil {
		return t, nil, fmt.Errorf("token %s: client %s: %w", id, t.ClientID, err)
	}
	if client.predates(t.CreatedAt) {
		return t, nil, fmt.Errorf("token %s: issued to an earlier client %s", id, t.ClientID)
	}
	return t, client, nil
}

// fromOpenIDLogin reports whether the token came from an authorization code
// login with scope openid, the only kind that speaks for a person.
func fromOpenIDLogin(t storage.Token) bool {
	return t.AuthRequestID != "" && slices.Contains(t.Scopes, scopeOpenID)
}

// claims computes (once per request object) what the client receives about the person.
func (a *authRequest) claims(client *Client) map[string]any {
	if a.cachedClaims == nil && a.state.Identity != nil {
		a.cachedClaims = identityClaims(a.state.Identity, a.state.Params.Scopes, client, a.state.Params.Claims)
	}
	return a.cachedClaims
}
