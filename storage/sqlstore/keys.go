package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/portvakt/portvakt/storage"
)

const keyColumns = "id, algorithm, private_key, public_jwk, created_at, retired_at, expires_at"

// ListKeys returns the keys not yet expired, newest first.
func (s *Store) ListKeys(ctx context.Context) ([]storage.SigningKey, error) {
	rows, err := s.query(ctx,
		"SELECT "+keyColumns+" FROM signing_keys WHERE expires_at IS NULL OR expires_at > ? ORDER BY created_at DESC, id DESC",
		millis(s.now()))
	if err != nil {
		return nil, s.fail("list keys", err)
	}
	defer rows.Close()
	var out []storage.SigningKey
	for rows.Next() {
		var (
			k                storage.SigningKey
			jwk              []byte
			created          int64
			retired, expires sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &jwk, &created, &retired, &expires); err != nil {
			return nil, s.fail("list keys", err)
		}
		k.PublicJWK = jwk
		k.CreatedAt = fromMillis(created)
		k.RetiredAt = fromNullMillis(retired)
		k.ExpiresAt = fromNullMillis(expires)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("list keys", err)
	}
	return out, nil
}

// CreateKey stores a key and bumps the "keys" generation in one transaction.
func (s *Store) CreateKey(ctx context.Context, k storage.SigningKey) error {
	k = s.keyDefaults(k)
	err := s.writeOnce(ctx,
		func() error { return s.withTx(ctx, func(tx *txn) error { return s.insertKey(ctx, tx, k) }) },
		s.keyStored(k))
	return s.fail("create key "+k.ID, err)
}

// RotateKey stores k and retires the still current keys of retire in one
// transaction that also touches the lease row (fence), so that a holder whose
// lease moved on writes nothing.
func (s *Store) RotateKey(ctx context.Context, lease storage.Lease, k storage.SigningKey, retire []string, retiredAt, expiresAt time.Time) error {
	k = s.keyDefaults(k)
	err := s.writeOnce(ctx, func() error {
		return s.withTx(ctx, func(tx *txn) error {
			if err := s.fence(ctx, tx, lease); err != nil {
				return err
			}
			if err := s.insertKey(ctx, tx, k); err != nil {
				return err
			}
			for _, id := range retire {
				if _, err := tx.ExecContext(ctx,
					"UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE id = ? AND retired_at IS NULL",
					millis(retiredAt), millis(expiresAt), id); err != nil {
					return err
				}
			}
			return nil
		})
	}, s.keyStored(k))
	return s.fail("rotate key "+k.ID, err)
}

func (s *Store) keyDefaults(k storage.SigningKey) storage.SigningKey {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.now()
	}
	if k.PrivateKey == nil {
		k.PrivateKey = []byte{}
	}
	return k
}

// insertKey inserts k and bumps the "keys" generation.
func (s *Store) insertKey(ctx context.Context, tx *txn, k storage.SigningKey) error {
	if _, err := tx.ExecContext(ctx,
		"INSERT INTO signing_keys ("+keyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		k.ID, k.Algorithm, k.PrivateKey, text(k.PublicJWK), millis(k.CreatedAt),
		nullMillis(k.RetiredAt), nullMillis(k.ExpiresAt)); err != nil {
		return err
	}
	return s.bumpGenerationTx(ctx, tx, generationKeys)
}

// keyStored tells whether k's row is the one stored under its id.
func (s *Store) keyStored(k storage.SigningKey) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		return s.rowExists(ctx, "SELECT 1 FROM signing_keys WHERE id = ? AND algorithm = ? AND created_at = ?",
			k.ID, k.Algorithm, millis(k.CreatedAt))
	}
}

// RetireKey retires a current key; ErrNotFound if unknown or already retired.
func (s *Store) RetireKey(ctx context.Context, id string, retiredAt, expiresAt time.Time) error {
	err := s.changeOneAndBump(ctx, generationKeys,
		func(ctx context.Context) (bool, error) {
			return s.rowExists(ctx, "SELECT 1 FROM signing_keys WHERE id = ? AND retired_at = ? AND expires_at = ?",
				id, millis(retiredAt), millis(expiresAt))
		},
		"UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE id = ? AND retired_at IS NULL",
		millis(retiredAt), millis(expiresAt), id)
	return s.fail("retire key "+id, err)
}
