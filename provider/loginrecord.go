package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// loginSucceeded writes the audit record of a finished login and remembers it
// for single sign-on. An identification the trail does not hold must not reach
// the client: when the record cannot be written, the login is ended with
// temporarily_unavailable and its code, if issued, is withdrawn, and the error
// is returned for the person's page.
func (s *logins) loginSucceeded(ctx context.Context, client *Client, a *authRequest, ip string) error {
	id := a.state.Identity
	if s.auditor != nil {
		err := s.auditor.RecordLogin(ctx, LoginEvent{
			Time: s.now(), ClientID: client.ID, AuthRequestID: a.id, Connector: id.Connector, LoA: id.LoA,
			Country: id.Country, NationalID: id.NationalID, Subject: a.state.Subject, Outcome: OutcomeSuccess, ClientIP: ip,
			Action: signAction(a), EvidenceID: evidenceIDOf(a),
		})
		if err != nil {
			s.logger.ErrorContext(ctx, "login ended: its audit record was not written", "client_id", client.ID, "error", err)
			s.withdrawLogin(ctx, a)
			return fmt.Errorf("audit record of login %s: %w", a.id, err)
		}
	}
	s.browser.rememberLogin(ctx, client.ID, ssoLogin{Identity: *id, Subject: a.state.Subject, AuthTime: a.state.AuthTime, ClientCreated: client.createdAt})
	s.logger.InfoContext(ctx, "login complete", "client_id", client.ID, "idp", id.Connector, "loa", id.LoA.String(), "sub", a.state.Subject)
	s.metrics.LoginFinished(id.Connector, client.ID, OutcomeSuccess)
	return nil
}

// withdrawLogin ends a finished login whose record could not be written:
// the code goes, and the client gets temporarily_unavailable. If this write
// fails too, the code stays unsent (the caller answers with an error page).
func (s *logins) withdrawLogin(ctx context.Context, a *authRequest) {
	_, err := s.updateRecord(context.WithoutCancel(ctx), a, func(st *loginState, rec *storage.AuthRequest) error {
		if !st.Done {
			return nil
		}
		st.Done = false
		st.end(&failure{Code: string(errTemporarilyUnavailable().ErrorType), Description: "the login could not be recorded; try again"})
		rec.CodeHash, rec.CodeExpiresAt = nil, time.Time{}
		return nil
	})
	if err != nil {
		s.logger.ErrorContext(ctx, "unrecorded login not withdrawn", "error", err)
	}
}
