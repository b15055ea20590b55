package provider

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
)

// token is the token endpoint. Only the authorization_code grant exists: the client
// is authenticated first, then the code is consumed atomically, so a request with
// wrong credentials cannot burn a code, and of two concurrent redemptions exactly
// one wins.
func (s *grants) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	switch gt := r.FormValue("grant_type"); gt {
	case string(oidc.GrantTypeCode):
	case string(oidc.GrantTypeClientCredentials):
		s.clientCredentials(w, r)
		return
	case grantTypeCIBA:
		s.ciba.token(w, r)
		return
	case "":
		s.tokenError(w, r, oidc.ErrInvalidRequest().WithDescription("grant_type is missing"))
		return
	default:
		s.tokenError(w, r, oidc.ErrUnsupportedGrantType().WithDescription("grant_type %s is not supported", gt))
		return
	}
	ctx := r.Context()
	req, err := op.ParseAccessTokenRequest(r, s.decoder)
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	client, err := s.authenticateClient(ctx, r, clientAuthOf(req))
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	if req.Code == "" {
		s.tokenError(w, r, oidc.ErrInvalidRequest().WithDescription("code is missing"))
		return
	}
	// Before the code is consumed: a failed proof does not burn it.
	proof, err := s.tokenRequestProof(ctx, r, client)
	if err != nil {
		s.offerDPoPNonce(w, err)
		s.tokenError(w, r, err)
		return
	}
	if err := s.canEncryptIDToken(ctx, client); err != nil {
		s.tokenError(w, r, err)
		return
	}
	a, err := s.consumeCode(ctx, req.Code)
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	switch {
	case a.GetClientID() != client.ID:
		s.tokenError(w, r, oidc.ErrInvalidGrant().WithDescription("the code was issued to another client"))
		return
	case req.RedirectURI != a.GetRedirectURI():
		s.tokenError(w, r, oidc.ErrInvalidGrant().WithDescription("redirect_uri does not match the authorization request"))
		return
	}
	if err := op.AuthorizeCodeChallenge(req.CodeVerifier, a.GetCodeChallenge()); err != nil {
		s.tokenError(w, r, err)
		return
	}
	if err := checkCodeBinding(a, proof); err != nil {
		s.tokenError(w, r, err)
		return
	}
	a.bindTo(proof)
	resp, err := s.codeTokens(ctx, a, client, req.Code)
	if err != nil {
		s.tokenError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// authenticateClient accepts only a method the client is registered for, and
// names that method to a request that used another.
func (s *grants) authenticateClient(ctx context.Context, r *http.Request, req clientAuth) (*Client, error) {
	failed := oidc.ErrInvalidClient().WithDescription("client authentication failed")
	if req.usesAssertion() {
		client, err := s.verifyClientAssertion(ctx, req.Assertion)
		if err != nil {
			return nil, err
		}
		if req.ID != "" && req.ID != client.ID {
			return nil, failed.WithDescription("client_id does not match the client assertion")
		}
		return client, nil
	}
	used, err := secretAuthMethod(r)
	if err != nil {
		return nil, err
	}
	client, err := s.clients.Get(ctx, req.ID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, failed.WithParent(err)
		}
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if !client.AcceptsAuthMethod(string(used)) {
		return nil, wrongAuthMethod(client, used)
	}
	if used == oidc.AuthMethodNone || client.CheckSecret(req.Secret) {
		return client, nil // PKCE is required of public clients at /authorize
	}
	return nil, failed
}

// consumeCode redeems a code once. A code used again revokes every token issued
// from it (RFC 9700 §4.5).
func (s *grants) consumeCode(ctx context.Context, code string) (*authRequest, error) {
	sum := sha256.Sum256([]byte(code))
	rec, err := s.store.ConsumeCode(ctx, sum[:], s.now())
	switch {
	case errors.Is(err, storage.ErrCodeReused):
		n, rerr := s.store.RevokeTokensByAuthRequest(ctx, rec.ID, s.now())
		s.logger.WarnContext(ctx, "authorization code reused; tokens revoked", "client_id", rec.ClientID, "auth_request", rec.ID, "revoked", n, "error", rerr)
		return nil, oidc.ErrInvalidGrant().WithDescription("the code was already used")
	case errors.Is(err, storage.ErrNotFound):
		return nil, oidc.ErrInvalidGrant().WithDescription("the code is unknown or expired")
	case err != nil:
		return nil, err
	}
	a, err := s.codec.decode(rec)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if a.state.phase() != phaseDone {
		return nil, oidc.ErrInvalidGrant().WithDescription("the login is not finished")
	}
	return a, nil
}

// tokenError answers a token request with an OIDC error. A database that cannot be
// reached is temporarily_unavailable with 503 and Retry-After, so clients retry
// rather than treat it as a bug; the cause stays in the log.
func (s *grants) tokenError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, storage.ErrUnavailable) {
		s.logger.ErrorContext(r.Context(), "token endpoint: database unavailable", "error", err)
		w.Header().Set("Retry-After", "5")
		writeJSON(w, http.StatusServiceUnavailable, errTemporarilyUnavailable().WithDescription("the service is temporarily unavailable; retry shortly"))
		return
	}
	var e *oidc.Error
	if !errors.As(err, &e) {
		err = oidc.ErrServerError().WithParent(err)
	}
	op.RequestError(w, r, err, nil)
}

// useAssertionOnce refuses a client assertion seen before (RFC 7523 §3: the jti
// makes an assertion single use, at every endpoint). The assertion's signature,
// exp and aud are already checked; the broker remembers each jti until the
// assertion expires.
func (s *grants) useAssertionOnce(ctx context.Context, clientID string, claims jwt.Claims) error {
	failed := oidc.ErrInvalidClient().WithDescription("client authentication failed")
	if claims.ID == "" || claims.Expiry == nil {
		return failed.WithDescription("the client assertion needs jti and exp")
	}
	n, err := s.store.Hit(ctx, "assertion:"+hashHex(clientID+"\x00"+claims.ID), time.Unix(0, 0), claims.Expiry.Time().Add(time.Minute))
	if err != nil {
		return err
	}
	if n > 1 {
		return failed.WithDescription("the client assertion was already used")
	}
	return nil
}

// assertionAlgorithms are the algorithms a client may sign assertions with.
func (s *grants) assertionAlgorithms() []jose.SignatureAlgorithm {
	return []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512, jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}
}
