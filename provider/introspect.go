package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
)

// errNotEntitled is a token the caller may not see: it is answered as inactive,
// exactly like an unknown one, so the answer does not reveal that it exists.
var errNotEntitled = errors.New("the caller may not introspect this token")

// introspect is the introspection endpoint (RFC 7662). The caller authenticates
// as at the token endpoint; a public client cannot introspect. A token is active
// only to the client it was issued to and to a resource server registered for
// its audience (§4); to everyone else it is {"active": false}.
func (s *grants) introspect(w http.ResponseWriter, r *http.Request) {
	caller, ok := s.authenticatedPost(w, r)
	if !ok {
		return
	}
	if caller.AuthMethod == string(oidc.AuthMethodNone) {
		s.tokenError(w, r, oidc.ErrInvalidClient().WithDescription("a public client cannot introspect tokens"))
		return
	}
	ctx := r.Context()
	resp := new(oidc.IntrospectionResponse)
	var err error
	tokenID, ok := s.accessTokenID(ctx, r.PostForm.Get("token"))
	if ok {
		err = s.describeToken(ctx, resp, tokenID, caller)
	}
	switch {
	case errors.Is(err, storage.ErrUnavailable):
		s.tokenError(w, r, err)
	case !ok || err != nil:
		// Unknown, expired, revoked or not the caller's: one answer for all.
		s.logger.DebugContext(ctx, "introspection: inactive", "client_id", caller.ID, "error", err)
		writeJSON(w, http.StatusOK, oidc.IntrospectionResponse{})
	default:
		resp.Active = true
		writeJSON(w, http.StatusOK, resp)
	}
}

// accessTokenID finds the stored token's id in an access token: an opaque token
// is the id sealed by the op library; a JWT access token names it in jti once its
// signature, issuer and expiry check out.
func (s *grants) accessTokenID(ctx context.Context, raw string) (string, bool) {
	if raw == "" {
		return "", false
	}
	if plain, err := s.tokenCipher.Decrypt(raw); err == nil {
		id, _, ok := strings.Cut(plain, ":")
		return id, ok && id != ""
	}
	claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, raw, s.accessTokenVerifier())
	if err != nil || claims.JWTID == "" {
		return "", false
	}
	return claims.JWTID, true
}

// describeToken fills the introspection answer for a live token the caller is
// entitled to, with only the claims the caller itself may receive.
func (s *grants) describeToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID string, caller *Client) error {
	t, err := s.liveToken(ctx, tokenID)
	if err != nil {
		return err
	}
	if t.ClientID != caller.ID && !caller.Serves(t.Audience) {
		return fmt.Errorf("token %s of %s asked by %s: %w", t.ID, t.ClientID, caller.ID, errNotEntitled)
	}
	resp.Subject = t.Subject
	resp.ClientID = t.ClientID
	resp.Scope = t.Scopes
	resp.Audience = t.Audience
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	resp.Issuer = s.issuer
	resp.TokenType = tokenType(t.DPoPJKT)
	claims, err := s.openTokenClaims(t)
	if err != nil {
		return err
	}
	ui := new(oidc.UserInfo)
	for k, v := range releasableClaims(claims, caller) {
		ui.AppendClaims(k, v)
	}
	ui.Subject = t.Subject
	resp.SetUserInfo(ui)
	if cnf := confirmation(t.DPoPJKT); cnf != nil {
		if resp.Claims == nil {
			resp.Claims = map[string]any{}
		}
		resp.Claims["cnf"] = cnf // RFC 9449 §6.2
	}
	return nil
}
