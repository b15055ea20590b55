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
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.now()
	}
	privateKey := k.PrivateKey
	if privateKey == nil {
		privateKey = []byte{}
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO signing_keys ("+keyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			k.ID, k.Algorithm, privateKey, text(k.PublicJWK), millis(k.CreatedAt),
			nullMillis(k.RetiredAt), nullMillis(k.ExpiresAt)); err != nil {
			return err
		}
		return s.bumpGenerationTx(ctx, tx, generationKeys)
	})
	return s.fail("create key "+k.ID, err)
}

// RetireKey retires a current key; ErrNotFound if unknown or already retired.
func (s *Store) RetireKey(ctx context.Context, id string, retiredAt, expiresAt time.Time) error {
	err := s.changeOneAndBump(ctx, generationKeys,
		"UPDATE signing_keys SET retired_at = ?, expires_at = ? WHERE id = ? AND retired_at IS NULL",
		millis(retiredAt), millis(expiresAt), id)
	return s.fail("retire key "+id, err)
}
