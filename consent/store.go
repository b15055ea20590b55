package consent

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

var _ provider.ConsentStore = (*Store)(nil)

// Store keeps consent decisions in the database.
type Store struct {
	db  storage.Consents
	now func() time.Time
}

// New returns the store; now is the clock (time.Now when nil).
func New(db storage.Consents, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// Remembered reports whether a standing consent, given at or after since, covers
// every one of claims.
func (s *Store) Remembered(ctx context.Context, clientID, subject string, claims []string, since time.Time) (bool, error) {
	c, err := s.db.GetRememberedConsent(ctx, clientID, subject)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remembered consent: %w", err)
	}
	if c.GrantedAt.Before(since) {
		return false, nil
	}
	for _, claim := range claims {
		if !slices.Contains(c.Claims, claim) {
			return false, nil
		}
	}
	return true, nil
}

// Record logs the person's decision.
func (s *Store) Record(ctx context.Context, d provider.ConsentDecision) error {
	decision := storage.ConsentDeclined
	if d.Granted {
		decision = storage.ConsentGranted
	}
	if d.Time.IsZero() {
		d.Time = s.now()
	}
	err := s.db.RecordConsent(ctx, storage.ConsentEvent{
		ID: randid.Hex(16), Time: d.Time, ClientID: d.ClientID, Subject: d.Subject, Decision: decision,
		Claims: d.Claims, Remember: d.Granted && d.Remember,
	})
	if err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	return nil
}

// Withdraw ends the person's standing consent to the client, so the next login
// asks again; the withdrawal is logged with who made it. It reports whether
// there was a standing consent.
func (s *Store) Withdraw(ctx context.Context, clientID, subject, actor string) (bool, error) {
	_, err := s.db.GetRememberedConsent(ctx, clientID, subject)
	had := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return false, fmt.Errorf("withdraw consent: %w", err)
	}
	if err := s.db.RecordConsent(ctx, storage.ConsentEvent{
		ID: randid.Hex(16), Time: s.now(), ClientID: clientID, Subject: subject, Decision: storage.ConsentWithdrawn, Actor: actor,
	}); err != nil {
		return false, fmt.Errorf("withdraw consent: %w", err)
	}
	return had, nil
}

// Standing lists remembered consents; empty arguments do not filter.
func (s *Store) Standing(ctx context.Context, clientID, subject string) ([]storage.RememberedConsent, error) {
	out, err := s.db.ListRememberedConsents(ctx, storage.ConsentQuery{ClientID: clientID, Subject: subject})
	if err != nil {
		return nil, fmt.Errorf("list consents: %w", err)
	}
	return out, nil
}

// Log lists decisions and withdrawals, newest first.
func (s *Store) Log(ctx context.Context, clientID, subject string, limit int) ([]storage.ConsentEvent, error) {
	out, err := s.db.ListConsentEvents(ctx, storage.ConsentQuery{ClientID: clientID, Subject: subject, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("list consent log: %w", err)
	}
	return out, nil
}
