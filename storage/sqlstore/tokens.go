package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

//nolint:gosec // G101: a column list, not a credential
const tokenColumns = "id, client_id, subject, auth_request_id, browser_session, scopes, audience, claims, created_at, expires_at, revoked_at, dpop_jkt"

// CreateToken stores an issued token in one INSERT.
func (s *Store) CreateToken(ctx context.Context, t storage.Token) error {
	scopes, err := encodeList(t.Scopes)
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	audience, err := encodeList(t.Audience)
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.ID, err)
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = s.now()
	}
	args := []any{t.ID, t.ClientID, t.Subject, t.AuthRequestID, t.Session, scopes, audience, text(t.Claims),
		millis(t.CreatedAt), millis(t.ExpiresAt), nullMillis(t.RevokedAt), t.DPoPJKT}
	// The id is random: a row under it for our client, subject and time is ours.
	stored := func(ctx context.Context) (bool, error) {
		return s.rowExists(ctx, "SELECT 1 FROM tokens WHERE id = ? AND client_id = ? AND subject = ? AND created_at = ?",
			t.ID, t.ClientID, t.Subject, millis(t.CreatedAt))
	}
	if t.IssuedUnder.Version == 0 {
		err = s.writeOnce(ctx, func() error {
			_, err := s.execOnce(ctx, "INSERT INTO tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", args...)
			return err
		}, stored)
		return s.fail("create token "+t.ID, err)
	}
	// One statement still: the client's row is read by primary key in the insert.
	var n int64
	err = s.writeOnce(ctx, func() error {
		var err error
		n, err = s.execCountOnce(ctx, "INSERT INTO tokens ("+tokenColumns+") SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM clients WHERE id = ? AND created_at = ? AND version = ?",
			append(args, t.ClientID, millis(t.IssuedUnder.CreatedAt), t.IssuedUnder.Version)...)
		return err
	}, func(ctx context.Context) (bool, error) {
		ok, err := stored(ctx)
		if ok {
			n = 1
		}
		return ok, err
	})
	if err != nil {
		return s.fail("create token "+t.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("create token %s: client %s changed since it was read: %w", t.ID, t.ClientID, storage.ErrConflict)
	}
	return nil
}

// GetToken returns the token, revoked or not; ErrNotFound if unknown or expired.
func (s *Store) GetToken(ctx context.Context, id string) (storage.Token, error) {
	var (
		t                storage.Token
		scopes, audience sql.NullString
		claims           []byte
		created, expires int64
		revoked          sql.NullInt64
	)
	err := s.queryRow(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE id = ? AND expires_at > ?", id, millis(s.now())).
		Scan(&t.ID, &t.ClientID, &t.Subject, &t.AuthRequestID, &t.Session, &scopes, &audience, &claims, &created, &expires, &revoked, &t.DPoPJKT)
	if err != nil {
		return storage.Token{}, s.fail("get token "+id, err)
	}
	if t.Scopes, err = decodeList(scopes); err != nil {
		return storage.Token{}, fmt.Errorf("get token %s: scopes: %w", id, err)
	}
	if t.Audience, err = decodeList(audience); err != nil {
		return storage.Token{}, fmt.Errorf("get token %s: audience: %w", id, err)
	}
	t.Claims = claims
	t.CreatedAt = fromMillis(created)
	t.ExpiresAt = fromMillis(expires)
	t.RevokedAt = fromNullMillis(revoked)
	return t, nil
}

// RevokeToken marks the token revoked. Revoking it again keeps the first time;
// an unknown token is ErrNotFound.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	n, err := s.execCount(ctx, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", millis(at), id)
	if err != nil {
		return s.fail("revoke token "+id, err)
	}
	if n == 1 {
		return nil
	}
	var one int
	if err := s.queryRow(ctx, "SELECT 1 FROM tokens WHERE id = ?", id).Scan(&one); err != nil {
		return s.fail("revoke token "+id, err)
	}
	return nil
}

// RevokeTokensByAuthRequest revokes the unrevoked tokens of one auth request.
func (s *Store) RevokeTokensByAuthRequest(ctx context.Context, authRequestID string, at time.Time) (int64, error) {
	if authRequestID == "" {
		return 0, nil
	}
	n, err := s.execCount(ctx,
		"UPDATE tokens SET revoked_at = ? WHERE auth_request_id = ? AND revoked_at IS NULL", millis(at), authRequestID)
	if err != nil {
		return 0, s.fail("revoke tokens of auth request "+authRequestID, err)
	}
	return n, nil
}

// RevokeTokensOfSession revokes the unrevoked tokens of subject at client issued
// in one browser session.
func (s *Store) RevokeTokensOfSession(ctx context.Context, clientID, subject, session string, at time.Time) (int64, error) {
	if session == "" {
		return 0, nil
	}
	n, err := s.execCount(ctx,
		"UPDATE tokens SET revoked_at = ? WHERE client_id = ? AND subject = ? AND browser_session = ? AND revoked_at IS NULL",
		millis(at), clientID, subject, session)
	if err != nil {
		return 0, s.fail("revoke tokens of client "+clientID, err)
	}
	return n, nil
}

// RevokeTokensByClient revokes the unrevoked tokens of the client, in batches:
// a busy client may hold many, and one write set of them all would stall a
// Galera cluster's replication (or pass wsrep_max_ws_rows).
func (s *Store) RevokeTokensByClient(ctx context.Context, clientID string, at time.Time) (int64, error) {
	query := s.dialect.updateBatch("tokens", "revoked_at = ?", "client_id = ? AND revoked_at IS NULL")
	var total int64
	for {
		n, err := s.execCount(ctx, query, millis(at), clientID)
		if err != nil {
			return total, s.fail("revoke tokens of client "+clientID, err)
		}
		total += n
		if n < purgeBatchSize {
			return total, nil
		}
	}
}
