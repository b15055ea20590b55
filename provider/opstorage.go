package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
)

// opStorage is the op.Storage the library calls. The broker's own handlers own the
// authorization request and the code grant, so the methods for those are thin.
type opStorage struct{ s *Server }

var (
	_ op.Storage                   = opStorage{}
	_ op.CanSetUserinfoFromRequest = opStorage{}
)

type signingAlgKey struct{}

// withSigningAlg makes SigningKey answer with the client's ID token algorithm: the
// library asks storage for "the" key, the broker has one per algorithm.
func withSigningAlg(ctx context.Context, alg string) context.Context {
	return context.WithValue(ctx, signingAlgKey{}, alg)
}

func (o opStorage) CreateAuthRequest(context.Context, *oidc.AuthRequest, string) (op.AuthRequest, error) {
	return nil, errors.New("authorization requests are created by the broker's own /authorize")
}

func (o opStorage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	return o.s.loadAuthRequest(ctx, id)
}

func (o opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	return o.s.consumeCode(ctx, code)
}

func (o opStorage) SaveAuthCode(context.Context, string, string) error {
	return errors.New("codes are issued by the broker's own handlers")
}

// DeleteAuthRequest keeps the row: a code used again later must still be recognised
// as reused so that what it issued can be revoked. The row expires and is purged.
func (o opStorage) DeleteAuthRequest(context.Context, string) error { return nil }

func (o opStorage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	a, ok := req.(*authRequest)
	if !ok {
		return "", time.Time{}, fmt.Errorf("unsupported token request %T", req)
	}
	client, err := o.s.clients.Get(ctx, a.GetClientID())
	if err != nil {
		return "", time.Time{}, err
	}
	id := newID()
	claims, err := o.s.sealTokenClaims(id, a.claims(client))
	if err != nil {
		return "", time.Time{}, err
	}
	now := o.s.now()
	t := storage.Token{
		ID:            id,
		ClientID:      client.ID,
		Subject:       a.GetSubject(),
		AuthRequestID: a.id,
		Session:       tokenSession(a.state.Browser),
		Scopes:        a.GetScopes(),
		Audience:      a.GetAudience(),
		Claims:        claims,
		CreatedAt:     now,
		ExpiresAt:     now.Add(client.accessTTL),
	}
	if err := o.s.createToken(ctx, client, t); err != nil {
		return "", time.Time{}, fmt.Errorf("store access token: %w", err)
	}
	return t.ID, t.ExpiresAt, nil
}

func (o opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, oidc.ErrUnsupportedGrantType().WithDescription("refresh tokens are not issued")
}

func (o opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("refresh tokens are not issued")
}

// TerminateSession is never called: /end_session is the broker's own
// (endsession.go), since the library's ends sessions on a cross-site GET and
// revokes the person's tokens in every browser.
func (o opStorage) TerminateSession(context.Context, string, string) error {
	return errors.New("logout is served by the broker's own /end_session")
}

func (o opStorage) RevokeToken(ctx context.Context, tokenOrID, _, clientID string) *oidc.Error {
	t, err := o.s.store.GetToken(ctx, tokenOrID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // RFC 7009: an unknown token is not an error
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
	}
	if err := o.s.store.RevokeToken(ctx, t.ID, o.s.now()); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (o opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (o opStorage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	alg, _ := ctx.Value(signingAlgKey{}).(string)
	if alg == "" {
		alg = "RS256"
	}
	return o.s.keys.SigningKey(ctx, alg)
}

func (o opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	out := make([]jose.SignatureAlgorithm, 0, len(o.s.cfg.Keys.Algorithms))
	for _, a := range o.s.cfg.Keys.Algorithms {
		out = append(out, jose.SignatureAlgorithm(a))
	}
	return out, nil
}

func (o opStorage) KeySet(ctx context.Context) ([]op.Key, error) { return o.s.keys.KeySet(ctx) }

func (o opStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := o.s.clients.Get(ctx, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, oidc.ErrInvalidClient().WithDescription("unknown client").WithParent(err)
		}
		return nil, err
	}
	return c, nil
}

func (o opStorage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := o.s.clients.Get(ctx, id)
	if err != nil || !c.CheckSecret(secret) {
		return oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}

func (o opStorage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims about the person.
func (o opStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	a, ok := req.(*authRequest)
	if !ok {
		return fmt.Errorf("unsupported ID token request %T", req)
	}
	client, err := o.s.clients.Get(ctx, a.GetClientID())
	if err != nil {
		return err
	}
	ui.Subject = a.GetSubject()
	for k, v := range a.claims(client) {
		ui.AppendClaims(k, v)
	}
	return nil
}

// SetUserinfoFromToken answers userinfo from the claims stored with the token.
// Only a token from an OpenID login opens userinfo (OIDC Core §5.3): a
// client_credentials token names no person, and answering it would hand its
// holder a document that looks like a login.
func (o opStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, _, _ string) error {
	t, err := o.s.liveToken(ctx, tokenID)
	if err != nil {
		return err
	}
	if !fromOpenIDLogin(t) {
		return fmt.Errorf("token %s: not issued for an OpenID login", tokenID)
	}
	ui.Subject = t.Subject
	return o.s.appendStoredClaims(ctx, t, ui.AppendClaims)
}

// SetIntrospectionFromToken answers as the broker's own introspection endpoint
// does, so the library cannot answer a caller the broker would not.
func (o opStorage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, _, clientID string) error {
	caller, err := o.s.clients.Get(ctx, clientID)
	if err != nil {
		return err
	}
	return o.s.describeToken(ctx, resp, tokenID, caller)
}

func (o opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (o opStorage) GetKeyByIDAndClientID(ctx context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	c, err := o.s.clients.Get(ctx, clientID)
	if err != nil {
		return nil, err
	}
	return c.publicKey(ctx, keyID, o.s.fetchJWKS)
}

func (o opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

func (o opStorage) Health(ctx context.Context) error { return o.s.store.Ping(ctx) }

// liveToken returns a token that exists, is not expired and is not revoked, of a
// client that is still there and enabled.
func (s *Server) liveToken(ctx context.Context, id string) (storage.Token, error) {
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
func (s *Server) liveTokenOfClient(ctx context.Context, id string) (storage.Token, *Client, error) {
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
