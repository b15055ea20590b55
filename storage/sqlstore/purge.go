package sqlstore

import (
	"context"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// expiringTables lists each table with rows that expire and the condition that
// selects the expired ones: a ? for the cut-off and, where grace is set, a second
// for the cut-off moved back by grace.
var expiringTables = []struct {
	table, where string
	grace        time.Duration
}{
	// A login with an open order waits for its order to be cancelled upstream.
	{"auth_requests", "expires_at <= ? AND (open_order = ? OR expires_at <= ?)", storage.OpenOrderGrace},
	{"tokens", "expires_at <= ?", 0},
	{"sessions", "expiry <= ?", 0},
	{"leases", "expires_at <= ?", 0},
	{"rate_counters", "expires_at <= ?", 0},
	{"pushed_requests", "expires_at <= ?", 0},
	{"signing_keys", "expires_at IS NOT NULL AND expires_at <= ?", 0},
}

// PurgeExpired deletes expired rows in batches, so no single statement holds
// the write lock (SQLite) or many row locks (MySQL) for long.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	cutoff := millis(now)
	var total int64
	for _, t := range expiringTables {
		query := s.dialect.purgeBatch(t.table, t.where)
		args := []any{cutoff}
		if t.grace > 0 {
			args = append(args, false, millis(now.Add(-t.grace)))
		}
		for {
			n, err := s.execCount(ctx, query, args...)
			if err != nil {
				return total, s.fail("purge expired "+t.table, err)
			}
			total += n
			if n < purgeBatchSize {
				break
			}
		}
	}
	return total, nil
}
