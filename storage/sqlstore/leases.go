package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// AcquireLease takes or extends name for holder. The conditional UPDATE covers a
// lease that exists and is expired or already ours; the INSERT covers one that
// does not exist. If another process inserted first, its row wins through the
// primary key and we report false. Both statements are atomic on their own, so
// no transaction (and no MySQL upsert row-count subtleties) are needed.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	until := millis(now.Add(ttl))
	n, err := s.execCount(ctx,
		"UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at <= ?)",
		holder, until, name, holder, millis(now))
	if err != nil {
		return false, s.fail("acquire lease "+name, err)
	}
	if n == 1 {
		return true, nil
	}
	_, err = s.exec(ctx, "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)", name, holder, until)
	if err == nil {
		return true, nil
	}
	err = s.fail("acquire lease "+name, err)
	if errors.Is(err, storage.ErrAlreadyExists) {
		return false, nil
	}
	return false, err
}

// ReleaseLease frees name if holder has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.exec(ctx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder)
	return s.fail("release lease "+name, err)
}
