package admin

import (
	"context"
	"io"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/storage"
)

// ListAudit returns one page of the audit trail.
func (s *Service) ListAudit(ctx context.Context, p Principal, q audit.Query) ([]audit.Entry, error) {
	if err := s.authorize(ctx, p, false, "audit.list", q.ClientID); err != nil {
		return nil, err
	}
	return s.o.Audit.List(ctx, normalQuery(q))
}

// normalQuery writes the national ids of a query as the trail keys them, so
// 19850723-2398 finds what 198507232398 does; an id not recognised is kept
// and simply matches nothing.
func normalQuery(q audit.Query) audit.Query {
	for _, id := range []*string{&q.NationalID, &q.AgentNationalID} {
		if *id == "" {
			continue
		}
		if _, normal, err := nationalid.Recognize(*id, ""); err == nil {
			*id = normal
		}
	}
	return q
}

// ExportAudit writes the selected records as JSON lines.
func (s *Service) ExportAudit(ctx context.Context, p Principal, w io.Writer, q audit.Query) (int, error) {
	if err := s.authorize(ctx, p, false, "audit.export", q.ClientID); err != nil {
		return 0, err
	}
	return s.o.Audit.Export(ctx, w, normalQuery(q))
}

// VerifyAudit checks the hash chain.
func (s *Service) VerifyAudit(ctx context.Context, p Principal) (audit.Report, error) {
	if err := s.authorize(ctx, p, false, "audit.verify", ""); err != nil {
		return audit.Report{}, err
	}
	return s.o.Audit.Verify(ctx)
}

// VerifyAuditCheckpoint checks the hash chain and that it still reaches the
// head a checkpoint recorded.
func (s *Service) VerifyAuditCheckpoint(ctx context.Context, p Principal, c audit.Checkpoint) (audit.Report, error) {
	if err := s.authorize(ctx, p, false, "audit.verify", ""); err != nil {
		return audit.Report{}, err
	}
	return s.o.Audit.VerifyCheckpoint(ctx, c)
}

// CheckpointAudit returns a signed statement of the verified chain head, for
// the operator to keep outside the database.
func (s *Service) CheckpointAudit(ctx context.Context, p Principal) (audit.Checkpoint, audit.Report, error) {
	if err := s.authorize(ctx, p, false, "audit.checkpoint", ""); err != nil {
		return audit.Checkpoint{}, audit.Report{}, err
	}
	return s.o.Audit.Checkpoint(ctx)
}

// PurgeAudit deletes the records older than the configured retention period.
func (s *Service) PurgeAudit(ctx context.Context, p Principal) (int64, error) {
	if err := s.authorize(ctx, p, true, "audit.purge", ""); err != nil {
		return 0, err
	}
	if s.o.AuditRetention <= 0 {
		return 0, ErrNoRetention
	}
	n, err := s.o.Audit.Purge(ctx, s.o.AuditRetention)
	if err != nil {
		return 0, err
	}
	s.record(ctx, p, audit.AdminEvent{Action: "audit.purge", Details: map[string]any{"deleted": n, "retention": s.o.AuditRetention.String()}})
	return n, nil
}

// Consents is a client's standing consents and the consent log.
type Consents struct {
	Standing []storage.RememberedConsent `json:"standing"`
	Log      []storage.ConsentEvent      `json:"log"`
}

// ListConsents returns the standing consents and the log, for a client and
// optionally one subject.
func (s *Service) ListConsents(ctx context.Context, p Principal, clientID, subject string) (Consents, error) {
	if err := s.authorize(ctx, p, false, "consent.list", clientID); err != nil {
		return Consents{}, err
	}
	standing, err := s.o.Consents.Standing(ctx, clientID, subject)
	if err != nil {
		return Consents{}, err
	}
	log, err := s.o.Consents.Log(ctx, clientID, subject, 500)
	if err != nil {
		return Consents{}, err
	}
	return Consents{Standing: standing, Log: log}, nil
}

// WithdrawConsent ends a person's standing consent to a client; the next login
// asks again. It reports whether there was one.
func (s *Service) WithdrawConsent(ctx context.Context, p Principal, clientID, subject string) (bool, error) {
	if err := s.authorize(ctx, p, true, "consent.withdraw", clientID); err != nil {
		return false, err
	}
	had, err := s.o.Consents.Withdraw(ctx, clientID, subject, p.Actor)
	if err != nil {
		return false, err
	}
	s.record(ctx, p, audit.AdminEvent{Action: "consent.withdraw", ClientID: clientID, Subject: subject, Details: map[string]any{"had_consent": had}})
	return had, nil
}
