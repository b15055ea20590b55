package sqlstore

import (
	"context"
	"time"
)

// Hit adds one to the counter of key in the window and returns the new count,
// in one statement.
func (s *Store) Hit(ctx context.Context, key string, windowStart, expiresAt time.Time) (int64, error) {
	args := []any{key, millis(windowStart), millis(expiresAt)}
	if s.dialect.name == DriverMySQL {
		res, err := s.exec(ctx, s.dialect.hit, args...)
		if err != nil {
			return 0, s.fail("rate counter hit", err)
		}
		// 1 row affected: inserted, the count is 1. 2: updated, and
		// LAST_INSERT_ID carries the new count.
		affected, err := res.RowsAffected()
		if err != nil {
			return 0, s.fail("rate counter hit", err)
		}
		if affected == 1 {
			return 1, nil
		}
		count, err := res.LastInsertId()
		if err != nil {
			return 0, s.fail("rate counter hit", err)
		}
		return count, nil
	}
	var count int64
	stmt, err := s.writeStmts.get(ctx, s.dialect.hit)
	if err == nil {
		err = stmt.QueryRowContext(ctx, args...).Scan(&count)
	}
	if err != nil {
		return 0, s.fail("rate counter hit", err)
	}
	return count, nil
}
