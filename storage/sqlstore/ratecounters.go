package sqlstore

import (
	"context"
	"math/rand/v2"
	"time"
)

// maxCounterShards is the range a store picks its rate-counter shard from when
// Config leaves it open: enough that brokers on different nodes rarely share a
// row, few enough that the sum reads a handful.
const maxCounterShards = 16

// pickCounterShard is the store's own shard: cfg's, or a random one on MySQL.
// SQLite has one writer and counts in shard 0.
func pickCounterShard(cfg Config) int {
	switch {
	case cfg.CounterShard > 0:
		return cfg.CounterShard
	case cfg.Driver == DriverSQLite:
		return 0
	default:
		return 1 + rand.IntN(maxCounterShards) //nolint:gosec // G404: spreading writes, not a secret
	}
}

// Hit adds one to this store's shard of the counter of key in the window and
// returns the sum over every shard. The shard row is written by this store
// alone, so brokers on different Galera nodes never certify against each
// other's hits; each caller still sees a distinct count within one store.
func (s *Store) Hit(ctx context.Context, key string, windowStart, expiresAt time.Time) (int64, error) {
	own, err := s.hitOwnShard(ctx, key, windowStart, expiresAt)
	if err != nil {
		return 0, s.fail("rate counter hit", err)
	}
	if s.dialect.name == DriverSQLite {
		return own, nil
	}
	var others int64
	if err := s.queryRow(ctx,
		"SELECT COALESCE(SUM(hits), 0) FROM rate_counters WHERE counter_key = ? AND window_start = ? AND shard <> ?",
		key, millis(windowStart), s.counterShard).Scan(&others); err != nil {
		return 0, s.fail("rate counter hit", err)
	}
	return own + others, nil
}

// hitOwnShard adds one to this store's row, in one statement, and returns it.
// A hit whose connection died may count twice: a limit errs on the safe side.
func (s *Store) hitOwnShard(ctx context.Context, key string, windowStart, expiresAt time.Time) (int64, error) {
	args := []any{key, millis(windowStart), s.counterShard, millis(expiresAt)}
	if s.dialect.name == DriverMySQL {
		res, err := s.exec(ctx, s.dialect.hit, args...)
		if err != nil {
			return 0, err
		}
		// 1 row affected: inserted, the count is 1. 2: updated, and
		// LAST_INSERT_ID carries the new count.
		affected, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		if affected == 1 {
			return 1, nil
		}
		return res.LastInsertId()
	}
	var count int64
	stmt, err := s.writeStmts.get(ctx, s.dialect.hit)
	if err != nil {
		return 0, err
	}
	return count, stmt.QueryRowContext(ctx, args...).Scan(&count)
}
