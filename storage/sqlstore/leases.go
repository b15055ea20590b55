package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// AcquireLease takes or extends name for holder. The conditional UPDATE covers a
// lease that exists and is expired or already ours, and raises its token; the
// INSERT covers one that does not exist. If another process inserted first, its
// row wins through the primary key and the lease is not held. Running either
// again after a lost connection is harmless: the holder matches its own row.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration) (storage.Lease, error) {
	now := s.now()
	lease := storage.Lease{Name: name, Holder: holder, ExpiresAt: normalTime(now.Add(ttl))}
	until := millis(lease.ExpiresAt)
	take := func() error {
		return s.withTx(ctx, func(tx *txn) error {
			lease.Held = false
			res, err := tx.ExecContext(ctx,
				"UPDATE leases SET holder = ?, token = token + 1, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at <= ?)",
				holder, until, name, holder, millis(now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return err
			}
			lease.Held = true
			// Our own uncommitted row: no other writer can change it before COMMIT
			// without one of the two losing.
			return tx.QueryRowContext(ctx, "SELECT token FROM leases WHERE name = ?", name).Scan(&lease.Token)
		})
	}
	// A take whose commit was lost happened if the row is ours until our expiry.
	err := s.writeOnce(ctx, take, func(ctx context.Context) (bool, error) {
		stored, err := s.readLease(ctx, name, holder, lease)
		if err != nil || !stored.Held || !stored.ExpiresAt.Equal(lease.ExpiresAt) {
			return false, err
		}
		lease = stored
		return true, nil
	})
	if err != nil {
		return storage.Lease{}, s.fail("acquire lease "+name, err)
	}
	if lease.Held {
		return lease, nil
	}
	// A new row's token starts at the time, not at 1: a lease whose expired row
	// was purged and that is taken again must still get a token larger than the
	// purged row's (it lapsed long before the purge).
	token := max(millis(now), 1)
	_, err = s.exec(ctx, "INSERT INTO leases (name, holder, expires_at, token) VALUES (?, ?, ?, ?)", name, holder, until, token)
	if err == nil {
		lease.Held, lease.Token = true, token
		return lease, nil
	}
	err = s.fail("acquire lease "+name, err)
	if errors.Is(err, storage.ErrAlreadyExists) {
		// Taken by someone else, or by this very insert before its connection
		// was lost and the statement ran again.
		return s.readLease(ctx, name, holder, lease)
	}
	return storage.Lease{}, err
}

// readLease reports lease as the stored row has it.
func (s *Store) readLease(ctx context.Context, name, holder string, lease storage.Lease) (storage.Lease, error) {
	var (
		stored  string
		token   int64
		expires int64
	)
	err := s.queryRow(ctx, "SELECT holder, token, expires_at FROM leases WHERE name = ?", name).Scan(&stored, &token, &expires)
	if err != nil {
		return storage.Lease{}, s.fail("read lease "+name, err)
	}
	if stored != holder || expires <= millis(s.now()) {
		return storage.Lease{Name: name, Holder: holder}, nil
	}
	lease.Held, lease.Token, lease.ExpiresAt = true, token, fromMillis(expires)
	return lease, nil
}

// ReleaseLease frees name if holder has it. The row stays, expired, so the
// next holder's token still grows from it; PurgeExpired deletes it later.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.exec(ctx, "UPDATE leases SET expires_at = 0 WHERE name = ? AND holder = ?", name, holder)
	return s.fail("release lease "+name, err)
}

// fence checks, inside tx, that lease is still held under its token, and
// changes the lease row: on Galera, certification then fails the write of a
// holder whose lease another node's holder took in the meantime (a row only
// read would not take part in certification).
func (s *Store) fence(ctx context.Context, tx *txn, lease storage.Lease) error {
	res, err := tx.ExecContext(ctx,
		"UPDATE leases SET fenced_writes = fenced_writes + 1 WHERE name = ? AND holder = ? AND token = ? AND expires_at > ?",
		lease.Name, lease.Holder, lease.Token, millis(s.now()))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("lease %s (token %d): %w", lease.Name, lease.Token, storage.ErrLeaseLost)
	}
	return nil
}
