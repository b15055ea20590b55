package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/internal/access"
	"github.com/portvakt/portvakt/storage"
)

// ScopeAdmin asks for an access token to the admin API.
const ScopeAdmin = "admin"

// AdminAudience is the aud of admin API access tokens.
func (s *base) AdminAudience() string { return s.issuer + "/admin" }

// adminClaims are the claims of an access token from the client_credentials grant.
type adminClaims struct {
	jwt.Claims
	Scope    string   `json:"scope,omitempty"`
	ClientID string   `json:"client_id"`
	Roles    []string `json:"roles,omitempty"`
}

// clientCredentials issues a JWT access token to a client for itself: API clients,
// and admin tools with a role (the admin API accepts only those).
func (s *grants) clientCredentials(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req := new(oidc.AccessTokenRequest)
	if err := op.ParseAuthenticatedTokenRequest(r, s.decoder, req); err != nil {
		s.tokenError(w, r, err)
		return
	}
	client, err := s.authenticateClient(ctx, r, clientAuthOf(req))
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	if !client.HasGrant(string(oidc.GrantTypeClientCredentials)) {
		s.tokenError(w, r, oidc.ErrUnauthorizedClient().WithDescription("the client may not use client_credentials"))
		return
	}
	var scopes []string
	asked := strings.Fields(r.PostForm.Get("scope"))
	for _, sc := range asked {
		if sc == ScopeAdmin && len(client.Roles) > 0 && !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(asked) > 0 && len(scopes) == 0 {
		s.tokenError(w, r, oidc.ErrInvalidScope().WithDescription("none of the requested scopes is allowed to this client"))
		return
	}
	now := s.now()
	exp := now.Add(client.accessTTL)
	claims := adminClaims{
		Claims: jwt.Claims{
			Issuer: s.issuer, Subject: client.ID, Audience: jwt.Audience{s.AdminAudience()},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(exp), ID: newID(),
		},
		Scope: strings.Join(scopes, " "), ClientID: client.ID, Roles: client.Roles,
	}
	raw, err := s.signJWT(ctx, "RS256", claims)
	if err != nil {
		s.tokenError(w, r, oidc.ErrServerError().WithParent(err))
		return
	}
	// No claims about a person, but sealed like every token's: one form for every row.
	sealed, err := s.sealTokenClaims(claims.ID, map[string]any{})
	if err != nil {
		s.tokenError(w, r, oidc.ErrServerError().WithParent(err))
		return
	}
	if err := s.createToken(ctx, client, storage.Token{
		ID: claims.ID, ClientID: client.ID, Subject: client.ID, Scopes: scopes,
		Audience: []string{s.AdminAudience()}, Claims: sealed, CreatedAt: now, ExpiresAt: exp,
	}); err != nil {
		s.tokenError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, oidc.AccessTokenResponse{
		AccessToken: raw, TokenType: oidc.BearerToken, ExpiresIn: uint64(client.accessTTL.Seconds()), Scope: scopes,
	})
}

func (s *grants) signJWT(ctx context.Context, alg string, claims any) (string, error) {
	key, err := s.keys.SigningKey(ctx, alg)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(), Key: &jose.JSONWebKey{Key: key.Key(), KeyID: key.ID()}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

// ErrInvalidAdminToken is returned for any token the admin API must refuse.
var ErrInvalidAdminToken = errors.New("invalid admin access token")

// VerifyAdminToken checks an admin API bearer token: the broker's signature, iss,
// aud, expiry, the admin scope, that it was not revoked, and that its client still
// exists, is enabled and has a role now.
func (s *Server) VerifyAdminToken(ctx context.Context, raw string) (access.Principal, error) {
	return s.grants.verifyAdminToken(ctx, raw)
}

func (s *grants) verifyAdminToken(ctx context.Context, raw string) (access.Principal, error) {
	var p access.Principal
	tok, err := jwt.ParseSigned(raw, s.signatureAlgorithms())
	if err != nil {
		return p, fmt.Errorf("%w: %w", ErrInvalidAdminToken, err)
	}
	if len(tok.Headers) != 1 {
		return p, fmt.Errorf("%w: %d signatures", ErrInvalidAdminToken, len(tok.Headers))
	}
	keys, err := s.keys.KeySet(ctx)
	if err != nil {
		return p, err
	}
	var claims adminClaims
	verified := false
	for _, k := range keys {
		if k.ID() == tok.Headers[0].KeyID {
			if err := tok.Claims(k.Key(), &claims); err == nil {
				verified = true
			}
			break
		}
	}
	if !verified {
		return p, fmt.Errorf("%w: signature", ErrInvalidAdminToken)
	}
	if err := claims.Claims.ValidateWithLeeway(jwt.Expected{Issuer: s.issuer, AnyAudience: jwt.Audience{s.AdminAudience()}, Time: s.now()}, 0); err != nil {
		return p, fmt.Errorf("%w: %w", ErrInvalidAdminToken, err)
	}
	if !slices.Contains(strings.Fields(claims.Scope), ScopeAdmin) {
		return p, fmt.Errorf("%w: no admin scope", ErrInvalidAdminToken)
	}
	t, client, err := s.liveTokenOfClient(ctx, claims.ID)
	if err != nil {
		if errors.Is(err, storage.ErrUnavailable) {
			return p, err
		}
		return p, fmt.Errorf("%w: %w", ErrInvalidAdminToken, err)
	}
	if t.ClientID != claims.ClientID {
		return p, fmt.Errorf("%w: token %s was issued to %s, not %s", ErrInvalidAdminToken, claims.ID, t.ClientID, claims.ClientID)
	}
	// A role counts only if the client has it now and had it when the token was
	// issued: a role an admin removes stops working at once, and a process whose
	// cache has not yet seen the removal still does not grant it to a token issued
	// after it.
	var roles []string
	for _, r := range claims.Roles {
		if slices.Contains(client.Roles, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return p, fmt.Errorf("%w: client %s has none of the token's roles", ErrInvalidAdminToken, client.ID)
	}
	return access.Principal{Actor: "client:" + client.ID, Roles: roles, TokenID: claims.ID}, nil
}

func (s *grants) signatureAlgorithms() []jose.SignatureAlgorithm {
	out := make([]jose.SignatureAlgorithm, 0, len(s.cfg.Keys.Algorithms))
	for _, a := range s.cfg.Keys.Algorithms {
		out = append(out, jose.SignatureAlgorithm(a))
	}
	return out
}
