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
	_, err := s.exec(ctx,
		"INSERT INTO auth_requests ("+authRequestColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
		r.ID, r.ClientID, text(r.Data), nullBytes(r.CodeHash), nullMillis(r.CodeExpiresAt), nullMillis(r.CodeUsedAt), millis(r.CreatedAt), millis(r.ExpiresAt), r.OpenOrder)
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
	n, err := s.execCount(ctx,
		`UPDATE auth_requests SET data = ?, expires_at = ?, open_order = ?, code_hash = ?, code_expires_at = ?, version = version + 1
		WHERE id = ? AND version = ? AND expires_at > ?`,
		text(next.Data), millis(next.ExpiresAt), next.OpenOrder, nullBytes(next.CodeHash), nullMillis(next.CodeExpiresAt),
		next.ID, next.Version, millis(s.now()))
	if err != nil {
		return storage.AuthRequest{}, s.fail("update auth request "+next.ID, err)
	}
	if n == 1 {
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

// ConsumeCode marks the code used with one conditional UPDATE: the database
// lets exactly one of many concurrent callers match the still-unused row.
// Callers that lose read the row to tell reuse from an unknown or expired code.
func (s *Store) ConsumeCode(ctx context.Context, codeHash []byte, now time.Time) (storage.AuthRequest, error) {
	if len(codeHash) == 0 {
		return storage.AuthRequest{}, fmt.Errorf("consume code: %w", storage.ErrNotFound)
	}
	const consume = `UPDATE auth_requests SET code_used_at = ?, version = version + 1
		WHERE code_hash = ? AND code_used_at IS NULL AND COALESCE(code_expires_at, expires_at) > ?`
	at := millis(now)
	if s.dialect.updateReturning {
		// One statement: the winner gets its row back from the UPDATE itself.
		r, err := s.writeQueryRow(ctx, consume+" RETURNING "+authRequestColumns, at, codeHash, at)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return storage.AuthRequest{}, s.fail("consume code", err)
		}
	} else {
		n, err := s.execCount(ctx, consume, at, codeHash, at)
		if err != nil {
			return storage.AuthRequest{}, s.fail("consume code", err)
		}
		if n == 1 {
			r, err := scanAuthRequest(s.queryRow(ctx,
				"SELECT "+authRequestColumns+" FROM auth_requests WHERE code_hash = ?", codeHash))
			return r, s.fail("consume code", err)
		}
	}
	// Lost: tell a reused code from an unknown or expired one.
	r, err := scanAuthRequest(s.queryRow(ctx,
		"SELECT "+authRequestColumns+" FROM auth_requests WHERE code_hash = ?", codeHash))
	if err != nil {
		return storage.AuthRequest{}, s.fail("consume code", err)
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
