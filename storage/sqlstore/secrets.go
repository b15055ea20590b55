package sqlstore

import (
	"bytes"
	"context"
	"errors"

	"github.com/portvakt/portvakt/storage"
)

// GetSecret returns the named secret or ErrNotFound.
func (s *Store) GetSecret(ctx context.Context, name string) ([]byte, error) {
	var value []byte
	if err := s.queryRow(ctx, "SELECT value FROM secrets WHERE name = ?", name).Scan(&value); err != nil {
		return nil, s.fail("get secret "+name, err)
	}
	return value, nil
}

// CreateSecret stores the secret unless it exists (ErrAlreadyExists): the
// primary key decides which of several processes wins.
func (s *Store) CreateSecret(ctx context.Context, name string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	err := s.writeOnce(ctx, func() error {
		_, err := s.execOnce(ctx, "INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)", name, value, millis(s.now()))
		return err
	}, func(ctx context.Context) (bool, error) {
		stored, err := s.GetSecret(ctx, name)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		return err == nil && bytes.Equal(stored, value), err
	})
	return s.fail("create secret "+name, err)
}
