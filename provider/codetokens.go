package provider

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/crypto"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/storage"
)

// codeTokens answers a redeemed code: an access token (stored, handed out
// encrypted or as a JWT) and the ID token. Both are signed with the key of the
// client's ID token algorithm, which is named here rather than carried to a
// storage callback. iat and exp follow the real clock: the client checks them
// against its own.
func (s *grants) codeTokens(ctx context.Context, a *authRequest, client *Client, code string) (*tokenResponse, error) {
	return s.tokens(ctx, a, client, code, nil)
}

// tokens are the tokens of a finished login, by a code or by a caller
// verification (which has no code and adds its auth_req_id to the ID token).
func (s *grants) tokens(ctx context.Context, a *authRequest, client *Client, code string, extra map[string]any) (*tokenResponse, error) {
	// A signature's answer carries its evidence, read back as stored (and as
	// the client may fetch it again): a signature whose evidence cannot be
	// read gets no tokens.
	var details []evidence.SignDetails
	if claims := signClaims(a); claims != nil {
		if s.evidence == nil {
			return nil, errTemporarilyUnavailable().WithDescription("the signature's evidence is not available")
		}
		granted, err := s.evidence.Fetch(ctx, client.ID, a.state.Sign.EvidenceID)
		if err != nil {
			return nil, fmt.Errorf("evidence of %s: %w", a.id, err)
		}
		details = []evidence.SignDetails{granted}
		extra = maps.Clone(extra)
		if extra == nil {
			extra = map[string]any{}
		}
		maps.Copy(extra, claims)
	} else if a.state.Sign != nil {
		return nil, oidc.ErrServerError().WithDescription("the signature has no evidence")
	}
	key, err := s.keys.SigningKey(ctx, client.IDTokenAlg)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", client.IDTokenAlg, err)
	}
	signer, err := op.SignerFromKey(key)
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	t, err := s.storeAccessToken(ctx, a, client)
	if err != nil {
		return nil, err
	}
	var accessToken string
	if client.AccessTokenFormat == "jwt" {
		claims := oidc.NewAccessTokenClaims(s.issuer, t.Subject, t.Audience, t.ExpiresAt, t.ID, client.ID, 0)
		if cnf := confirmation(t.DPoPJKT); cnf != nil {
			claims.Claims = map[string]any{"cnf": cnf}
		}
		accessToken, err = crypto.Sign(claims, signer)
	} else {
		accessToken, err = s.tokenCipher.Encrypt(t.ID + ":" + t.Subject)
	}
	if err != nil {
		return nil, fmt.Errorf("access token: %w", err)
	}
	idToken, err := s.idToken(ctx, a, client, key, signer, accessToken, code, extra)
	if err != nil {
		return nil, err
	}
	validity := t.ExpiresAt.Sub(time.Now().UTC())
	return &tokenResponse{AccessTokenResponse: &oidc.AccessTokenResponse{
		AccessToken: accessToken, IDToken: idToken, TokenType: tokenType(t.DPoPJKT),
		ExpiresIn: uint64(validity.Seconds()), Scope: a.GetScopes(),
	}, AuthorizationDetails: details}, nil
}

// tokenResponse is the token endpoint's answer: OAuth's, and for a
// signature the granted authorization_details with their evidence (RFC 9396
// §7).
type tokenResponse struct {
	*oidc.AccessTokenResponse
	AuthorizationDetails []evidence.SignDetails `json:"authorization_details,omitempty"`
}

// storeAccessToken records the access token of a login with the claims it
// answers userinfo and introspection with, sealed.
func (s *grants) storeAccessToken(ctx context.Context, a *authRequest, client *Client) (storage.Token, error) {
	id := newID()
	claims, err := s.sealTokenClaims(id, a.claims(client))
	if err != nil {
		return storage.Token{}, err
	}
	now := s.now()
	t := storage.Token{
		ID:            id,
		ClientID:      client.ID,
		Subject:       a.GetSubject(),
		AuthRequestID: a.id,
		Session:       tokenSession(a.state.Browser),
		Scopes:        a.GetScopes(),
		Audience:      a.GetAudience(),
		Claims:        claims,
		DPoPJKT:       a.boundJKT,
		CreatedAt:     now,
		ExpiresAt:     now.Add(client.accessTTL),
	}
	if err := s.createToken(ctx, client, t); err != nil {
		return storage.Token{}, fmt.Errorf("store access token: %w", err)
	}
	return t, nil
}

// idToken makes the login's ID token with at_hash, c_hash and the claims about
// the person the client may receive.
func (s *grants) idToken(ctx context.Context, a *authRequest, client *Client, key op.SigningKey, signer jose.Signer, accessToken, code string, extra map[string]any) (string, error) {
	exp := time.Now().UTC().Add(client.idTokenTTL)
	claims := oidc.NewIDTokenClaims(s.issuer, a.GetSubject(), a.GetAudience(), exp, a.GetAuthTime(), a.GetNonce(), a.GetACR(), a.GetAMR(), a.GetClientID(), 0)
	alg := key.SignatureAlgorithm()
	var err error
	if claims.AccessTokenHash, err = oidc.ClaimHash(accessToken, alg); err != nil {
		return "", err
	}
	if len(a.GetScopes()) > 0 {
		info := &oidc.UserInfo{Subject: a.GetSubject()}
		for k, v := range a.claims(client) {
			info.AppendClaims(k, v)
		}
		claims.SetUserInfo(info)
	}
	if len(extra) > 0 {
		if claims.Claims == nil {
			claims.Claims = map[string]any{}
		}
		for k, v := range extra {
			claims.Claims[k] = v
		}
	}
	if code != "" {
		if claims.CodeHash, err = oidc.ClaimHash(code, alg); err != nil {
			return "", err
		}
	}
	signed, err := crypto.Sign(claims, signer)
	if err != nil {
		return "", err
	}
	return s.encryptTo(ctx, client, client.IDTokenEncryption, signed)
}
