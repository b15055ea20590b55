package keys

import (
	"context"
	"time"
)

// Run refreshes the cache every RefreshInterval and rotates keys when due, until ctx
// is done. Failures are logged and retried on the next tick: the cache keeps serving
// the last keys it loaded.
func (m *Manager) Run(ctx context.Context) {
	ticker := time.NewTicker(m.opts.RefreshInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if err := m.Refresh(ctx); err != nil {
			m.log.Warn("refresh signing keys", "err", err)
			continue
		}
		if err := m.RotateDue(ctx); err != nil {
			m.log.Warn("rotate signing keys", "err", err)
		}
	}
}
