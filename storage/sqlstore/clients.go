package sqlstore

import (
	"context"
	"fmt"

	"github.com/portvakt/portvakt/storage"
)

const (
	generationClients = "clients"
	generationKeys    = "keys"
)

const clientColumns = "id, source, settings, created_at, updated_at, version"

func scanClient(row scanner) (storage.Client, int64, error) {
	var (
		c                    storage.Client
		settings             []byte
		created, updated, vr int64
	)
	if err := row.Scan(&c.ID, &c.Source, &settings, &created, &updated, &vr); err != nil {
		return storage.Client{}, 0, err
	}
	c.Settings = settings
	c.CreatedAt = fromMillis(created)
	c.UpdatedAt = fromMillis(updated)
	c.Version = vr
	return c, vr, nil
}

// CreateClient stores a new client; ErrAlreadyExists if the id is taken.
func (s *Store) CreateClient(ctx context.Context, c storage.Client) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	nonce := newNonce()
	err := s.writeOnce(ctx, func() error {
		return s.withTx(ctx, func(tx *txn) error {
			if _, err := tx.ExecContext(ctx,
				"INSERT INTO clients ("+clientColumns+", write_nonce) VALUES (?, ?, ?, ?, ?, 1, ?)",
				c.ID, c.Source, text(c.Settings), millis(c.CreatedAt), millis(c.UpdatedAt), nonce); err != nil {
				return err
			}
			return s.bumpGenerationTx(ctx, tx, generationClients)
		})
	}, s.clientWrittenBy(c.ID, nonce))
	return s.fail("create client "+c.ID, err)
}

// clientWrittenBy tells whether the client's row was last written under nonce.
func (s *Store) clientWrittenBy(id, nonce string) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		return s.rowExists(ctx, "SELECT 1 FROM clients WHERE id = ? AND write_nonce = ?", id, nonce)
	}
}

// GetClient returns the client or ErrNotFound.
func (s *Store) GetClient(ctx context.Context, id string) (storage.Client, error) {
	c, _, err := s.getClient(ctx, id)
	return c, err
}

func (s *Store) getClient(ctx context.Context, id string) (storage.Client, int64, error) {
	c, version, err := scanClient(s.queryRow(ctx, "SELECT "+clientColumns+" FROM clients WHERE id = ?", id))
	if err != nil {
		return storage.Client{}, 0, s.fail("get client "+id, err)
	}
	return c, version, nil
}

// ListClients returns every client ordered by id.
func (s *Store) ListClients(ctx context.Context) ([]storage.Client, error) {
	rows, err := s.query(ctx, "SELECT "+clientColumns+" FROM clients ORDER BY id")
	if err != nil {
		return nil, s.fail("list clients", err)
	}
	defer rows.Close()
	var out []storage.Client
	for rows.Next() {
		c, _, err := scanClient(rows)
		if err != nil {
			return nil, s.fail("list clients", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("list clients", err)
	}
	return out, nil
}

// UpdateClient is a compare-and-swap on the client's version, retried with
// backoff when another writer got there first. The id and CreatedAt cannot
// change; UpdatedAt becomes now unless update set it.
func (s *Store) UpdateClient(ctx context.Context, id string, update func(storage.Client) (storage.Client, error)) error {
	for attempt := range maxUpdateAttempts {
		if attempt > 0 {
			if err := backoff(ctx, attempt); err != nil {
				return fmt.Errorf("update client %s: %w", id, err)
			}
		}
		current, version, err := s.getClient(ctx, id)
		if err != nil {
			return err
		}
		next, err := update(current)
		if err != nil {
			return err
		}
		if next.UpdatedAt.IsZero() || next.UpdatedAt.Equal(current.UpdatedAt) {
			next.UpdatedAt = s.now()
		}
		swapped := false
		nonce := newNonce()
		err = s.writeOnce(ctx, func() error {
			return s.withTx(ctx, func(tx *txn) error {
				swapped = false
				res, err := tx.ExecContext(ctx,
					"UPDATE clients SET source = ?, settings = ?, updated_at = ?, write_nonce = ?, version = version + 1 WHERE id = ? AND version = ?",
					next.Source, text(next.Settings), millis(next.UpdatedAt), nonce, id, version)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil || n == 0 {
					return err
				}
				swapped = true
				return s.bumpGenerationTx(ctx, tx, generationClients)
			})
		}, func(ctx context.Context) (bool, error) {
			// A lost commit that happened leaves our nonce; the swap is done.
			ok, err := s.clientWrittenBy(id, nonce)(ctx)
			swapped = swapped || ok
			return ok, err
		})
		if err != nil {
			return s.fail("update client "+id, err)
		}
		if swapped {
			return nil
		}
	}
	return fmt.Errorf("update client %s: %w", id, storage.ErrConflict)
}

// DeleteClient removes the client; ErrNotFound if there is none.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	err := s.changeOneAndBump(ctx, generationClients,
		func(ctx context.Context) (bool, error) {
			exists, err := s.rowExists(ctx, "SELECT 1 FROM clients WHERE id = ?", id)
			return !exists, err
		},
		"DELETE FROM clients WHERE id = ?", id)
	return s.fail("delete client "+id, err)
}
