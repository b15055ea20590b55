package broker

import (
	"context"
	"fmt"
	"time"
)

// purgeEvidence deletes signatures' evidence past its retention, hourly, in
// one process at a time, and records each purge in the audit trail: the
// evidence is gone, the record that it existed stays.
func (a *Broker) purgeEvidence(ctx context.Context) {
	holder := fmt.Sprintf("evidence-purge-%p", a)
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if lease, err := a.Store.AcquireLease(ctx, "evidence-purge", holder, 50*time.Minute); err == nil && lease.Held {
			a.PurgeEvidence(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// PurgeEvidence purges the evidence past its retention now, each purge on
// record in the audit trail.
func (a *Broker) PurgeEvidence(ctx context.Context) {
	purged, err := a.Evidence.Purge(ctx)
	if err != nil {
		a.Logger.WarnContext(ctx, "purge evidence", "error", err)
	}
	now := time.Now()
	for _, p := range purged {
		if err := a.Admin.Audit.RecordEvidencePurge(ctx, now, p.ClientID, p.ID, p.CreatedAt); err != nil {
			a.Logger.ErrorContext(ctx, "audit an evidence purge", "evidence_id", p.ID, "client_id", p.ClientID, "error", err)
		}
	}
	if len(purged) > 0 {
		a.Logger.InfoContext(ctx, "purged evidence past retention", "records", len(purged))
	}
}
