package provider

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/storage"
)

// Bounds of one collection round.
const (
	collectPage        = 500
	collectConcurrency = 16
	// collectorLease outlives a few rounds, so another process takes over
	// soon after the collecting one stops.
	collectorLease = 5 * collectEvery
)

// collect polls the eID order of every open caller verification once, from
// one broker process at a time (the collector lease), whatever the clients'
// polling; an order past its verification's expiry is cancelled instead.
func (s *backchannel) collect(ctx context.Context, holder string) {
	lease, err := s.flow.store.AcquireLease(ctx, "ciba-collector", holder, collectorLease)
	if err != nil || !lease.Held {
		return
	}
	now := s.flow.now()
	sem := make(chan struct{}, collectConcurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	after := ""
	for ctx.Err() == nil {
		recs, err := s.flow.store.OpenOrders(ctx, backchannelIDPrefix, after, now, collectPage)
		if err != nil {
			s.flow.logger.WarnContext(ctx, "list open caller verifications", "error", err)
			return
		}
		for _, rec := range recs {
			after = rec.ID
			a, err := s.flow.decoded.load(s.flow.codec, rec)
			if err != nil {
				s.flow.logger.WarnContext(ctx, "open caller verification", "auth_request", rec.ID, "error", err)
				continue
			}
			sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-sem; wg.Done() }()
				s.advance(ctx, a, now)
			}()
		}
		if len(recs) < collectPage {
			return
		}
	}
}

// advance collects one verification's order once and stores what changed.
func (s *backchannel) advance(ctx context.Context, a *authRequest, now time.Time) {
	bc := a.state.Backchannel
	o, ok := s.flow.chosen(a)
	oc, isOrder := o.Connector.(connectors.OrderConnector)
	if bc == nil || a.state.Order == nil || !ok || !isOrder {
		return
	}
	if !now.Before(bc.Expires) {
		s.fail(ctx, a, &failure{Code: "expired_token", Description: "the verification expired before the caller answered"}, VerificationExpired)
		return
	}
	progress, perr := oc.Poll(ctx, a.state.Order)
	switch {
	case perr == nil && progress.Status == connectors.StatusComplete && progress.Identity != nil:
		s.identified(ctx, a, o, *progress.Identity)
	case progress.Status == connectors.StatusFailed || (perr != nil && !errors.Is(perr, connectors.ErrUpstream)):
		outcome, description := OutcomeError, "the eID could not verify the caller"
		switch {
		case errors.Is(perr, connectors.ErrCancelled):
			outcome, description = VerificationDeclined, "the caller declined the verification"
		case errors.Is(perr, connectors.ErrExpired):
			outcome, description = VerificationExpired, "the eID order expired before the caller answered"
		}
		s.flow.logger.InfoContext(ctx, "caller verification failed", "client_id", a.state.Params.ClientID, "connector", o.Info.ID, "error", perr)
		s.fail(ctx, a, &failure{Code: string(oidc.AccessDenied), Description: description}, outcome)
	}
	// Pending, or the eID away for a moment: the next round asks again.
}

// identified records the verified caller: the identity must be the person the
// request named, at the level it required. The same write makes the outcome
// redeemable once (the row's code).
func (s *backchannel) identified(ctx context.Context, a *authRequest, o Option, id connectors.Identity) {
	client, err := s.flow.clients.Get(ctx, a.state.Params.ClientID)
	if err != nil {
		s.flow.logger.WarnContext(ctx, "caller verification: client", "client_id", a.state.Params.ClientID, "error", err)
		s.fail(ctx, a, &failure{Code: string(oidc.AccessDenied), Description: "the client is no longer allowed"}, OutcomeError)
		return
	}
	id.Connector = o.Info.ID
	if id.Country == "" && len(o.Info.Countries) == 1 {
		id.Country = o.Info.Countries[0]
	}
	if id.Method == "" {
		id.Method = o.Method.URN
	}
	switch {
	case !meetsLevel(&id, a.state.MinLoA):
		s.fail(ctx, a, &failure{Code: string(oidc.AccessDenied), Description: "the eID did not reach the requested level of assurance"}, OutcomeError)
		return
	case id.NationalID != a.state.Backchannel.NationalID:
		s.flow.logger.WarnContext(ctx, "caller verification: another person answered", "client_id", client.ID,
			"asked", nationalid.Mask(a.state.Backchannel.NationalID), "answered", nationalid.Mask(id.NationalID))
		s.fail(ctx, a, &failure{Code: string(oidc.AccessDenied), Description: "the person who answered is not the caller named"}, OutcomeError)
		return
	}
	subject := subjectFor(s.flow.subjectSecret, client, &id)
	var evidenceID string
	if a.state.Sign != nil {
		if err := signedWhatWasAsked(id.Signature, a.state.Sign.Content); err != nil {
			s.flow.logger.WarnContext(ctx, "caller signature refused", "client_id", client.ID, "connector", o.Info.ID, "error", err)
			s.fail(ctx, a, &failure{Code: string(oidc.AccessDenied), Description: "the eID's answer failed verification"}, OutcomeError)
			return
		}
		// Before the outcome is stored: a signature without stored evidence
		// never reaches the client.
		if evidenceID, err = s.flow.issueEvidence(ctx, a, subject, id); err != nil {
			s.flow.logger.ErrorContext(ctx, "caller signature ended: its evidence was not stored", "client_id", client.ID, "error", err)
			s.fail(ctx, a, &failure{Code: string(errTemporarilyUnavailable().ErrorType), Description: "the signature could not be recorded; try again"}, OutcomeError)
			return
		}
	}
	trimForState(&id, client, a.state.Params.Scopes)
	now := s.flow.now().Truncate(time.Second)
	updated, err := s.flow.advanceLogin(ctx, a, func(st *loginState, rec *storage.AuthRequest) error {
		if !st.sameAttempt(&a.state) {
			return errLoginMovedOn
		}
		st.identify(&id, subject, now, false)
		if st.Sign != nil {
			st.Sign.EvidenceID = evidenceID
		}
		rec.CodeHash, rec.CodeExpiresAt = backchannelCodeHash(rec.ID), rec.ExpiresAt
		return nil
	})
	if err != nil {
		if !errors.Is(err, errLoginMovedOn) {
			s.flow.logger.WarnContext(ctx, "store caller verification", "auth_request", a.id, "error", err)
		}
		return
	}
	s.flow.metrics.LoginFinished(id.Connector, client.ID, OutcomeSuccess)
	s.ended(ctx, updated, OutcomeSuccess)
}

// fail ends a verification for its client, cancels its order upstream and
// records the outcome.
func (s *backchannel) fail(ctx context.Context, a *authRequest, f *failure, outcome string) {
	var dropped *connectors.Order
	updated, err := s.flow.advanceLogin(ctx, a, func(st *loginState, _ *storage.AuthRequest) error {
		dropped = st.Order
		st.fail(f, "")
		return nil
	})
	if err != nil {
		if !errors.Is(err, errLoginMovedOn) {
			s.flow.logger.WarnContext(ctx, "store caller verification", "auth_request", a.id, "error", err)
		}
		return
	}
	s.flow.cancelOrder(ctx, updated.state.Option, dropped)
	s.flow.metrics.LoginFinished(connectorOf(updated.state.Option), updated.state.Params.ClientID, outcome)
	s.ended(ctx, updated, outcome)
}

// ended is what follows an outcome, once, in the process whose write reached
// it: the caller may be verified again, the record, and the client's ping.
func (s *backchannel) ended(ctx context.Context, a *authRequest, outcome string) {
	bc := a.state.Backchannel
	if err := s.flow.store.ReleaseLease(ctx, s.flow.callerLease(bc.NationalID), a.id); err != nil {
		s.flow.logger.WarnContext(ctx, "release caller lease", "error", err)
	}
	ev := verificationEventOf(a, outcome, s.flow.now())
	s.flow.recordVerification(ctx, ev)
	if bc.Mode == deliveryPing {
		s.ping(ctx, a)
	}
}

// verificationEventOf is the record of a verification that reached outcome.
func verificationEventOf(a *authRequest, outcome string, at time.Time) VerificationEvent {
	bc := a.state.Backchannel
	ev := VerificationEvent{
		Started: bc.StartedAt, Finished: at, ClientID: a.state.Params.ClientID, AuthRequestID: a.id,
		Agent: bc.Agent, Reason: bc.Reason, BindingMessage: bc.BindingMessage, CallInitiator: bc.CallInitiator,
		Connector: connectorOf(a.state.Option), Country: bc.Country, NationalID: bc.NationalID,
		Outcome: outcome, ClientIP: bc.ClientIP,
		Sign: a.state.Sign != nil, EvidenceID: evidenceIDOf(a),
	}
	if id := a.state.Identity; id != nil {
		ev.LoA, ev.Subject = id.LoA, a.state.Subject
	}
	if f := a.state.Failure; f != nil {
		ev.Error = f.Code
	}
	return ev
}

// connectorOf is the connector id of an option value ("se-bankid/other-device").
func connectorOf(option string) string {
	for i := range len(option) {
		if option[i] == '/' {
			return option[:i]
		}
	}
	return option
}

// recordVerification hands a verification's record to the audit trail; the
// verification goes on if that fails.
func (s *logins) recordVerification(ctx context.Context, e VerificationEvent) {
	rec, ok := s.auditor.(VerificationRecorder)
	if !ok {
		return
	}
	if err := rec.RecordVerification(ctx, e); err != nil {
		s.logger.ErrorContext(ctx, "audit record of a verification not written", "client_id", e.ClientID, "outcome", e.Outcome, "error", err)
	}
}

// runCollector collects open verifications every collectEvery until ctx ends.
func (s *backchannel) runCollector(ctx context.Context, holder string) {
	tick := time.NewTicker(collectEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			s.collect(ctx, holder)
		}
	}
}
