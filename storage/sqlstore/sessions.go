package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// FindSession returns the data of a live session; found is false for unknown
// and expired ones.
func (s *Store) FindSession(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := s.queryRow(ctx, "SELECT data FROM sessions WHERE token = ? AND expiry > ?", token, millis(s.now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.fail("find session", err)
	}
	if data == nil {
		data = []byte{}
	}
	return data, true, nil
}

// CommitSession creates or replaces a session.
func (s *Store) CommitSession(ctx context.Context, token string, data []byte, expiry time.Time) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.exec(ctx, s.dialect.commitSession, token, data, millis(expiry))
	return s.fail("commit session", err)
}

// DeleteSession removes a session; a missing one is no error.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.exec(ctx, "DELETE FROM sessions WHERE token = ?", token)
	return s.fail("delete session", err)
}
