package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

const authRequestColumns = "id, client_id, data, code_hash, code_expires_at, code_used_at, created_at, expires_at, open_order, version"

func scanAuthRequest(row scanner) (storage.AuthRequest, error) {
	var (
		r                storage.AuthRequest
		data             []byte
		codeExpires      sql.NullInt64
		usedAt           sql.NullInt64
		created, expires int64
	)
	if err := row.Scan(&r.ID, &r.ClientID, &data, &r.CodeHash, &codeExpires, &usedAt, &created, &expires, &r.OpenOrder, &r.Version); err != nil {
		return storage.AuthRequest{}, err
	}
	r.Data = data
	r.CodeExpiresAt = fromNullMillis(codeExpires)
	r.CodeUsedAt = fromNullMillis(usedAt)
	r.CreatedAt = fromMillis(created)
	r.ExpiresAt = fromMillis(expires)
	return r, nil
}

// CreateAuthRequest stores a new request at version 1.
func (s *Store) CreateAuthRequest(ctx context.Context, r storage.AuthRequest) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now()
	}
	err := s.writeOnce(ctx, func() error {
		_, err := s.execOnce(ctx,
			"INSERT INTO auth_requests ("+authRequestColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
			r.ID, r.ClientID, text(r.Data), nullBytes(r.CodeHash), nullMillis(r.CodeExpiresAt), nullMillis(r.CodeUsedAt), millis(r.CreatedAt), millis(r.ExpiresAt), r.OpenOrder)
		return err
	}, func(ctx context.Context) (bool, error) {
		// The id is random: a row under it with our client and time is ours.
		return s.rowExists(ctx, "SELECT 1 FROM auth_requests WHERE id = ? AND client_id = ? AND created_at = ?",
			r.ID, r.ClientID, millis(r.CreatedAt))
	})
	return s.fail("create auth request "+r.ID, err)
}

// GetAuthRequest returns the request, or ErrNotFound if unknown or expired.
func (s *Store) GetAuthRequest(ctx context.Context, id string) (storage.AuthRequest, error) {
	r, err := scanAuthRequest(s.queryRow(ctx,
		"SELECT "+authRequestColumns+" FROM auth_requests WHERE id = ? AND expires_at > ?", id, millis(s.now())))
	if err != nil {
		return storage.AuthRequest{}, s.fail("get auth request "+id, err)
	}
	return r, nil
}

// UpdateAuthRequest is a compare-and-swap on Version, retried with backoff when
// another writer got there first.
func (s *Store) UpdateAuthRequest(ctx context.Context, id string, update func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error) {
	for attempt := range maxUpdateAttempts {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return storage.AuthRequest{}, fmt.Errorf("update auth request %s: %w", id, err)
			}
		}
		current, err := s.GetAuthRequest(ctx, id)
		if err != nil {
			return storage.AuthRequest{}, err
		}
		next, err := update(current)
		if err != nil {
			return storage.AuthRequest{}, err
		}
		next.ID, next.Version = current.ID, current.Version
		stored, err := s.ReplaceAuthRequest(ctx, next)
		if !errors.Is(err, storage.ErrConflict) {
			return stored, err
		}
	}
	return storage.AuthRequest{}, fmt.Errorf("update auth request %s: %w", id, storage.ErrConflict)
}

// ReplaceAuthRequest writes next if the stored request is still at next.Version
// and unexpired. Only Data, ExpiresAt, OpenOrder, CodeHash and CodeExpiresAt change; the rest
// of the returned request is the stored row's, which a lost race re-reads.
func (s *Store) ReplaceAuthRequest(ctx context.Context, next storage.AuthRequest) (storage.AuthRequest, error) {
	return s.replaceAuthRequest(ctx, next, newNonce())
}

// replaceAuthRequest is the compare-and-swap, writing nonce into the row. Run
// again with the same nonce after an unknown commit, it recognises its own
// success: the row then holds the nonce at the next version.
func (s *Store) replaceAuthRequest(ctx context.Context, next storage.AuthRequest, nonce string) (storage.AuthRequest, error) {
	swapped := false
	err := s.writeOnce(ctx, func() error {
		n, err := s.execCountOnce(ctx,
			`UPDATE auth_requests SET data = ?, expires_at = ?, open_order = ?, code_hash = ?, code_expires_at = ?, write_nonce = ?, version = version + 1
			WHERE id = ? AND version = ? AND expires_at > ?`,
			text(next.Data), millis(next.ExpiresAt), next.OpenOrder, nullBytes(next.CodeHash), nullMillis(next.CodeExpiresAt), nonce,
			next.ID, next.Version, millis(s.now()))
		swapped = n == 1
		return err
	}, func(ctx context.Context) (bool, error) {
		ok, err := s.authRequestWrittenBy(ctx, next.ID, next.Version+1, nonce)
		swapped = swapped || ok
		return ok, err
	})
	if err != nil {
		return storage.AuthRequest{}, s.fail("update auth request "+next.ID, err)
	}
	if !swapped {
		// A retry of a swap this caller made already finds the row at the next
		// version with its own nonce.
		if ok, err := s.authRequestWrittenBy(ctx, next.ID, next.Version+1, nonce); err != nil || ok {
			swapped = ok
			if err != nil {
				return storage.AuthRequest{}, err
			}
		}
	}
	if swapped {
		next.Version++
		next.ExpiresAt = normalTime(next.ExpiresAt)
		next.CodeExpiresAt = normalTime(next.CodeExpiresAt)
		return next, nil
	}
	// Nothing matched: gone, expired, or changed since the caller read it.
	if _, err := s.GetAuthRequest(ctx, next.ID); err != nil {
		return storage.AuthRequest{}, err
	}
	return storage.AuthRequest{}, fmt.Errorf("update auth request %s: %w", next.ID, storage.ErrConflict)
}

// authRequestWrittenBy tells whether the request is at version and was written
// under nonce.
func (s *Store) authRequestWrittenBy(ctx context.Context, id string, version int64, nonce string) (bool, error) {
	return s.rowExists(ctx, "SELECT 1 FROM auth_requests WHERE id = ? AND version = ? AND write_nonce = ?", id, version, nonce)
}

// ConsumeCode marks the code used with one conditional UPDATE: the database
// lets exactly one of many concurrent callers match the still-unused row.
// Callers that lose read the row to tell reuse from an unknown or expired code.
func (s *Store) ConsumeCode(ctx context.Context, codeHash []byte, now time.Time) (storage.AuthRequest, error) {
	return s.consumeCode(ctx, codeHash, now, newNonce())
}

// consumeCode redeems the code under nonce, which the UPDATE writes into the
// row. A caller whose commit had an unknown outcome runs it again with the same
// nonce: the code is then used, and the nonce tells its own redemption (a
// success) from another caller's (a reuse).
func (s *Store) consumeCode(ctx context.Context, codeHash []byte, now time.Time, nonce string) (storage.AuthRequest, error) {
	if len(codeHash) == 0 {
		return storage.AuthRequest{}, fmt.Errorf("consume code: %w", storage.ErrNotFound)
	}
	const consume = `UPDATE auth_requests SET code_used_at = ?, write_nonce = ?, version = version + 1
		WHERE code_hash = ? AND code_used_at IS NULL AND COALESCE(code_expires_at, expires_at) > ?`
	at := millis(now)
	redeemedByUs := func(ctx context.Context) (bool, error) {
		return s.rowExists(ctx, "SELECT 1 FROM auth_requests WHERE code_hash = ? AND code_used_at IS NOT NULL AND write_nonce = ?", codeHash, nonce)
	}
	readRow := func() (storage.AuthRequest, error) {
		return scanAuthRequest(s.queryRow(ctx, "SELECT "+authRequestColumns+" FROM auth_requests WHERE code_hash = ?", codeHash))
	}
	if s.dialect.updateReturning {
		// One statement: the winner gets its row back from the UPDATE itself.
		r, err := s.writeQueryRow(ctx, consume+" RETURNING "+authRequestColumns, at, nonce, codeHash, at)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return storage.AuthRequest{}, s.fail("consume code", err)
		}
	} else {
		won := false
		err := s.writeOnce(ctx, func() error {
			n, err := s.execCountOnce(ctx, consume, at, nonce, codeHash, at)
			won = n == 1
			return err
		}, func(ctx context.Context) (bool, error) {
			ok, err := redeemedByUs(ctx)
			won = won || ok
			return ok, err
		})
		if err != nil {
			return storage.AuthRequest{}, s.fail("consume code", err)
		}
		if won {
			r, err := readRow()
			return r, s.fail("consume code", err)
		}
	}
	// Lost: tell a reused code from an unknown or expired one, and from this
	// caller's own earlier redemption.
	r, err := readRow()
	if err != nil {
		return storage.AuthRequest{}, s.fail("consume code", err)
	}
	if !r.CodeUsedAt.IsZero() {
		if mine, err := redeemedByUs(ctx); err != nil {
			return storage.AuthRequest{}, err
		} else if mine {
			return r, nil
		}
	}
	switch {
	// A used code reports reuse even once its request expired (until purged), so
	// the caller can still revoke what the first redemption issued.
	case !r.CodeUsedAt.IsZero():
		return r, fmt.Errorf("consume code of auth request %s: %w", r.ID, storage.ErrCodeReused)
	default:
		return storage.AuthRequest{}, fmt.Errorf("consume code: expired: %w", storage.ErrNotFound)
	}
}

// writeQueryRow runs an UPDATE ... RETURNING on the write pool.
func (s *Store) writeQueryRow(ctx context.Context, query string, args ...any) (storage.AuthRequest, error) {
	if s.group != nil {
		var r storage.AuthRequest
		err := s.group.do(ctx, &writeJob{query: query, args: args, scan: func(row scanner) error {
			var err error
			r, err = scanAuthRequest(row)
			return err
		}})
		return r, err
	}
	stmt, err := s.writeStmts.get(ctx, query)
	if err != nil {
		return storage.AuthRequest{}, err
	}
	return scanAuthRequest(stmt.QueryRowContext(ctx, args...))
}

// DeleteAuthRequest removes the request; deleting one that is gone is no error.
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := s.exec(ctx, "DELETE FROM auth_requests WHERE id = ?", id)
	return s.fail("delete auth request "+id, err)
}

// ExpiredOpenOrders reads expired requests still marked with an open order,
// those expired longest first. The expires_at index bounds the scan: expired rows
// without an open order are purged every minute.
// OpenOrders lists the live requests with open orders under an id prefix: a
// range of the primary key, so it reads only those rows.
func (s *Store) OpenOrders(ctx context.Context, prefix, after string, now time.Time, limit int) ([]storage.AuthRequest, error) {
	from := max(prefix, after)
	// The prefix's range ends before the prefix with its last byte raised.
	end := prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
	rows, err := s.query(ctx,
		"SELECT "+authRequestColumns+" FROM auth_requests WHERE id > ? AND id < ? AND open_order = ? AND expires_at > ? ORDER BY id LIMIT ?",
		from, end, true, millis(now), limit)
	if err != nil {
		return nil, s.fail("list open orders", err)
	}
	defer rows.Close()
	var out []storage.AuthRequest
	for rows.Next() {
		r, err := scanAuthRequest(rows)
		if err != nil {
			return nil, s.fail("list open orders", err)
		}
		out = append(out, r)
	}
	return out, s.fail("list open orders", rows.Err())
}

func (s *Store) ExpiredOpenOrders(ctx context.Context, now time.Time, limit int) ([]storage.AuthRequest, error) {
	rows, err := s.query(ctx,
		"SELECT "+authRequestColumns+" FROM auth_requests WHERE expires_at <= ? AND open_order = ? ORDER BY expires_at LIMIT ?",
		millis(now), true, limit)
	if err != nil {
		return nil, s.fail("list expired open orders", err)
	}
	defer rows.Close()
	var out []storage.AuthRequest
	for rows.Next() {
		r, err := scanAuthRequest(rows)
		if err != nil {
			return nil, s.fail("list expired open orders", err)
		}
		out = append(out, r)
	}
	return out, s.fail("list expired open orders", rows.Err())
}
