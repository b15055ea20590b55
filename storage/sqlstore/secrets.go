package sqlstore

import "context"

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
	_, err := s.exec(ctx, "INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)", name, value, millis(s.now()))
	return s.fail("create secret "+name, err)
}
