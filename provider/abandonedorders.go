package provider

import (
	"context"
	"time"
)

// Bounds of one sweep for the open orders of expired logins: it runs in the
// background purge, under its lease, and must end well within it.
const (
	expiredOrderBatch  = 100
	expiredOrderBudget = 30 * time.Second
)

// cancelExpiredOrders cancels upstream the orders that expired logins left open
// (the person closed the page), then deletes those logins. Rows it does not reach
// are purged anyway once storage.OpenOrderGrace has passed.
func (s *logins) cancelExpiredOrders(ctx context.Context) {
	ctx, stop := context.WithTimeout(ctx, expiredOrderBudget)
	defer stop()
	now := s.now()
	for ctx.Err() == nil {
		recs, err := s.store.ExpiredOpenOrders(ctx, now, expiredOrderBatch)
		if err != nil {
			s.logger.WarnContext(ctx, "list expired logins with open orders", "error", err)
			return
		}
		for _, rec := range recs {
			if a, err := s.codec.decode(rec); err != nil {
				s.logger.WarnContext(ctx, "open expired login", "auth_request", rec.ID, "error", err)
			} else {
				s.cancelOrder(ctx, a.state.Option, a.state.Order)
			}
			if err := s.store.DeleteAuthRequest(ctx, rec.ID); err != nil {
				s.logger.WarnContext(ctx, "delete expired login", "auth_request", rec.ID, "error", err)
				return
			}
		}
		if len(recs) < expiredOrderBatch {
			return
		}
	}
}
