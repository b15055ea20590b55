package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// CreatePushedRequest stores a pushed authorization request.
func (s *Store) CreatePushedRequest(ctx context.Context, r storage.PushedRequest) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now()
	}
	err := s.writeOnce(ctx, func() error {
		_, err := s.execOnce(ctx,
			"INSERT INTO pushed_requests (ref_hash, client_id, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			r.RefHash, r.ClientID, r.Data, millis(r.CreatedAt), millis(r.ExpiresAt))
		return err
	}, func(ctx context.Context) (bool, error) {
		// The reference is random: a row under it with our client and time is ours.
		return s.rowExists(ctx, "SELECT 1 FROM pushed_requests WHERE ref_hash = ? AND client_id = ? AND created_at = ?",
			r.RefHash, r.ClientID, millis(r.CreatedAt))
	})
	return s.fail("create pushed request", err)
}

// TakePushedRequest marks the request taken with a conditional UPDATE under a
// nonce of this call: the one caller whose UPDATE changed the row wins, and a
// caller whose commit had an unknown outcome finds its own nonce in the row.
func (s *Store) TakePushedRequest(ctx context.Context, refHash []byte, now time.Time) (storage.PushedRequest, error) {
	if len(refHash) == 0 {
		return storage.PushedRequest{}, fmt.Errorf("take pushed request: %w", storage.ErrNotFound)
	}
	nonce := newNonce()
	won := false
	err := s.writeOnce(ctx, func() error {
		n, err := s.execCountOnce(ctx,
			"UPDATE pushed_requests SET taken_at = ?, take_nonce = ? WHERE ref_hash = ? AND taken_at IS NULL AND expires_at > ?",
			millis(now), nonce, refHash, millis(now))
		won = n == 1
		return err
	}, func(ctx context.Context) (bool, error) {
		ok, err := s.rowExists(ctx, "SELECT 1 FROM pushed_requests WHERE ref_hash = ? AND take_nonce = ?", refHash, nonce)
		won = won || ok
		return ok, err
	})
	if err != nil {
		return storage.PushedRequest{}, s.fail("take pushed request", err)
	}
	r := storage.PushedRequest{RefHash: refHash}
	var created, expires int64
	var taken *int64
	err = s.queryRow(ctx, "SELECT client_id, data, created_at, expires_at, taken_at FROM pushed_requests WHERE ref_hash = ?", refHash).
		Scan(&r.ClientID, &r.Data, &created, &expires, &taken)
	if err != nil {
		return storage.PushedRequest{}, s.fail("take pushed request", err)
	}
	r.CreatedAt, r.ExpiresAt = fromMillis(created), fromMillis(expires)
	switch {
	case won:
		return r, nil
	case taken != nil:
		return storage.PushedRequest{}, fmt.Errorf("take pushed request: %w", storage.ErrAlreadyTaken)
	default: // expired
		return storage.PushedRequest{}, fmt.Errorf("take pushed request: %w", storage.ErrNotFound)
	}
}
