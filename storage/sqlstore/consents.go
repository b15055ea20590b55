package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/portvakt/portvakt/storage"
)

var _ storage.Consents = (*Store)(nil)

const defaultConsentLimit = 1000

// RecordConsent logs the event and updates the remembered consent in one transaction.
func (s *Store) RecordConsent(ctx context.Context, e storage.ConsentEvent) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	claims, err := encodeList(e.Claims)
	if err != nil {
		return err
	}
	err = s.writeOnce(ctx, func() error {
		return s.withTx(ctx, func(tx *txn) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO consent_events (id, at, client_id, subject, decision, claims, remember, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				e.ID, millis(e.Time), e.ClientID, e.Subject, e.Decision, claims, boolInt(e.Remember), e.Actor); err != nil {
				return err
			}
			if e.Decision == storage.ConsentGranted && !e.Remember {
				return nil
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM consents WHERE client_id = ? AND subject = ?", e.ClientID, e.Subject); err != nil {
				return err
			}
			if e.Decision != storage.ConsentGranted {
				return nil
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO consents (client_id, subject, claims, granted_at) VALUES (?, ?, ?, ?)",
				e.ClientID, e.Subject, claims, millis(e.Time))
			return err
		})
	}, func(ctx context.Context) (bool, error) {
		// The event's id is its key: stored means the whole transaction committed.
		return s.rowExists(ctx, "SELECT 1 FROM consent_events WHERE id = ? AND client_id = ? AND subject = ? AND at = ?",
			e.ID, e.ClientID, e.Subject, millis(e.Time))
	})
	return s.fail("record consent", err)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanRemembered(row scanner) (storage.RememberedConsent, error) {
	var (
		c      storage.RememberedConsent
		claims sql.NullString
		at     int64
	)
	if err := row.Scan(&c.ClientID, &c.Subject, &claims, &at); err != nil {
		return c, err
	}
	c.GrantedAt = fromMillis(at)
	var err error
	c.Claims, err = decodeList(claims)
	return c, err
}

// GetRememberedConsent returns the standing consent or ErrNotFound.
func (s *Store) GetRememberedConsent(ctx context.Context, clientID, subject string) (storage.RememberedConsent, error) {
	c, err := scanRemembered(s.queryRow(ctx, "SELECT client_id, subject, claims, granted_at FROM consents WHERE client_id = ? AND subject = ?", clientID, subject))
	return c, s.fail("get consent", err)
}

// consentFilter builds the WHERE clause of a ConsentQuery from fixed fragments.
func consentFilter(q storage.ConsentQuery) (string, []any, int) {
	where := []string{"1 = 1"}
	var args []any
	if q.ClientID != "" {
		where, args = append(where, "client_id = ?"), append(args, q.ClientID)
	}
	if q.Subject != "" {
		where, args = append(where, "subject = ?"), append(args, q.Subject)
	}
	limit := q.Limit
	if limit <= 0 || limit > defaultConsentLimit {
		limit = defaultConsentLimit
	}
	return strings.Join(where, " AND "), args, limit
}

// ListRememberedConsents returns standing consents ordered by client and subject.
func (s *Store) ListRememberedConsents(ctx context.Context, q storage.ConsentQuery) ([]storage.RememberedConsent, error) {
	where, args, limit := consentFilter(q)
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf("SELECT client_id, subject, claims, granted_at FROM consents WHERE %s ORDER BY client_id, subject LIMIT %d", where, limit), args...)
	if err != nil {
		return nil, s.fail("list consents", err)
	}
	defer rows.Close()
	var out []storage.RememberedConsent
	for rows.Next() {
		c, err := scanRemembered(rows)
		if err != nil {
			return nil, s.fail("list consents", err)
		}
		out = append(out, c)
	}
	return out, s.fail("list consents", rows.Err())
}

// ListConsentEvents returns the consent log, newest first.
func (s *Store) ListConsentEvents(ctx context.Context, q storage.ConsentQuery) ([]storage.ConsentEvent, error) {
	where, args, limit := consentFilter(q)
	rows, err := s.read.QueryContext(ctx, fmt.Sprintf("SELECT id, at, client_id, subject, decision, claims, remember, actor FROM consent_events WHERE %s ORDER BY at DESC, id DESC LIMIT %d", where, limit), args...)
	if err != nil {
		return nil, s.fail("list consent events", err)
	}
	defer rows.Close()
	var out []storage.ConsentEvent
	for rows.Next() {
		var (
			e        storage.ConsentEvent
			at       int64
			claims   sql.NullString
			remember int
		)
		if err := rows.Scan(&e.ID, &at, &e.ClientID, &e.Subject, &e.Decision, &claims, &remember, &e.Actor); err != nil {
			return nil, s.fail("list consent events", err)
		}
		e.Time, e.Remember = fromMillis(at), remember != 0
		if e.Claims, err = decodeList(claims); err != nil {
			return nil, s.fail("list consent events", err)
		}
		out = append(out, e)
	}
	return out, s.fail("list consent events", rows.Err())
}
