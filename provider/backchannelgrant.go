package provider

import (
	"context"
	"errors"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/storage"
)

// token answers the CIBA grant (CIBA §10.1, §11): the tokens of a finished
// verification, once; authorization_pending while the caller has not
// answered; slow_down to a client polling faster than its interval;
// access_denied, expired_token; invalid_grant for an id unknown, another
// client's, or redeemed before.
func (s *backchannel) token(w http.ResponseWriter, r *http.Request) {
	client, ok := s.grants.authenticatedPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if !client.HasGrant(grantTypeCIBA) {
		s.grants.tokenError(w, r, oidc.ErrUnauthorizedClient().WithDescription("the client is not allowed grant type %s", grantTypeCIBA))
		return
	}
	authReqID := r.PostForm.Get("auth_req_id")
	if authReqID == "" {
		s.grants.tokenError(w, r, oidc.ErrInvalidRequest().WithDescription("auth_req_id is missing"))
		return
	}
	a, err := s.flow.loadAuthRequest(ctx, backchannelRecordID(authReqID))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.grants.tokenError(w, r, oidc.ErrInvalidGrant().WithDescription("auth_req_id is unknown or expired"))
		return
	case err != nil:
		s.grants.tokenError(w, r, err)
		return
	case a.state.Backchannel == nil || a.state.Params.ClientID != client.ID:
		s.grants.tokenError(w, r, oidc.ErrInvalidGrant().WithDescription("auth_req_id was issued to another client"))
		return
	}
	switch a.state.phase() {
	case phaseDone:
		s.redeem(ctx, w, r, client, authReqID)
	case phaseFailed:
		s.grants.tokenError(w, r, a.state.Failure.backchannelError())
	default:
		s.pending(ctx, w, r, a)
	}
}

// pending answers a poll of a verification still running: expired_token once
// it has expired, slow_down when the client polls too fast, else
// authorization_pending. Each poll is written, so slow_down holds across
// every broker process.
func (s *backchannel) pending(ctx context.Context, w http.ResponseWriter, r *http.Request, a *authRequest) {
	now := s.flow.now()
	if !now.Before(a.state.Backchannel.Expires) {
		s.grants.tokenError(w, r, oidc.ErrExpiredDeviceCode().WithDescription("the verification expired before the caller answered"))
		return
	}
	tooFast := false
	_, err := s.flow.updateLogin(ctx, a, func(st *loginState) error {
		if st.Backchannel == nil || st.phase().terminal() {
			return errLoginMovedOn
		}
		bc := st.Backchannel
		tooFast = !bc.LastClientPoll.IsZero() && now.Sub(bc.LastClientPoll) < bc.Interval-pollTolerance
		if tooFast {
			bc.Interval += backchannelInterval
		}
		bc.LastClientPoll = now
		return nil
	})
	switch {
	case errors.Is(err, errLoginMovedOn):
		// It finished in between: the client's next poll gets the outcome.
		s.grants.tokenError(w, r, oidc.ErrAuthorizationPending().WithDescription("the caller has not answered yet"))
	case err != nil:
		s.grants.tokenError(w, r, err)
	case tooFast:
		s.grants.tokenError(w, r, oidc.ErrSlowDown().WithDescription("polled faster than the interval; wait 5 seconds more between polls"))
	default:
		s.grants.tokenError(w, r, oidc.ErrAuthorizationPending().WithDescription("the caller has not answered yet"))
	}
}

// redeem issues the tokens of a finished verification, exactly once: the
// redemption is the atomic consumption of the row's code.
func (s *backchannel) redeem(ctx context.Context, w http.ResponseWriter, r *http.Request, client *Client, authReqID string) {
	rec, err := s.flow.store.ConsumeCode(ctx, backchannelCodeHash(backchannelRecordID(authReqID)), s.flow.now())
	switch {
	case errors.Is(err, storage.ErrCodeReused):
		// Unlike a code, an auth_req_id is redeemed only with the client's own
		// credentials: a second redemption is the client's mistake, not a
		// thief's, so the tokens it got stay valid.
		s.flow.logger.InfoContext(ctx, "auth_req_id redeemed again", "client_id", client.ID)
		s.grants.tokenError(w, r, oidc.ErrInvalidGrant().WithDescription("auth_req_id was already redeemed"))
		return
	case errors.Is(err, storage.ErrNotFound):
		s.grants.tokenError(w, r, oidc.ErrInvalidGrant().WithDescription("auth_req_id is unknown or expired"))
		return
	case err != nil:
		s.grants.tokenError(w, r, err)
		return
	}
	a, err := s.flow.codec.decode(rec)
	if err != nil {
		s.grants.tokenError(w, r, oidc.ErrServerError().WithParent(err))
		return
	}
	resp, err := s.grants.tokens(ctx, a, client, "", map[string]any{claimAuthReqID: authReqID})
	if err != nil {
		s.grants.tokenError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// backchannelError is a failed verification's error at the token endpoint:
// CIBA knows access_denied and expired_token there, never a failure of the
// eID itself (transaction_failed is push mode's).
func (f *failure) backchannelError() *oidc.Error {
	if f.Code == "expired_token" {
		return oidc.ErrExpiredDeviceCode().WithDescription("%s", f.Description)
	}
	return oidc.ErrAccessDenied().WithDescription("%s", f.Description)
}
