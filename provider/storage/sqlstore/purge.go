package sqlstore

import (
	"context"
	"time"
)

// expiringTables lists each table with rows that expire and the condition that
// selects the expired ones (one ? for the cut-off).
var expiringTables = []struct{ table, where string }{
	{"auth_requests", "expires_at <= ?"},
	{"tokens", "expires_at <= ?"},
	{"sessions", "expiry <= ?"},
	{"leases", "expires_at <= ?"},
	{"rate_counters", "expires_at <= ?"},
	{"signing_keys", "expires_at IS NOT NULL AND expires_at <= ?"},
}

// PurgeExpired deletes expired rows in batches, so no single statement holds
// the write lock (SQLite) or many row locks (MySQL) for long.
func (s *Store) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	cutoff := millis(now)
	var total int64
	for _, t := range expiringTables {
		query := s.dialect.purgeBatch(t.table, t.where)
		for {
			n, err := s.execCount(ctx, query, cutoff)
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
