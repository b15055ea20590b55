package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// generationEvidenceKeys is bumped by every change of the evidence keys, so
// every process reloads them.
const generationEvidenceKeys = "evidence_keys"

// CreateEvidence stores a sealed evidence record.
func (s *Store) CreateEvidence(ctx context.Context, r storage.EvidenceRecord) error {
	if r.CreatedAt.IsZero() {
		r.CreatedAt = s.now()
	}
	err := s.writeOnce(ctx, func() error {
		_, err := s.execOnce(ctx,
			"INSERT INTO evidence (id, client_id, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			r.ID, r.ClientID, r.Data, millis(r.CreatedAt), millis(r.ExpiresAt))
		return err
	}, func(ctx context.Context) (bool, error) {
		// Ids are random: a row under ours with our client and time is ours.
		return s.rowExists(ctx, "SELECT 1 FROM evidence WHERE id = ? AND client_id = ? AND created_at = ?",
			r.ID, r.ClientID, millis(r.CreatedAt))
	})
	return s.fail("create evidence", err)
}

// GetEvidence reads one record; expired ones are not found even before the
// purge deleted them.
func (s *Store) GetEvidence(ctx context.Context, id string, now time.Time) (storage.EvidenceRecord, error) {
	r := storage.EvidenceRecord{ID: id}
	var created, expires int64
	err := s.queryRow(ctx,
		"SELECT client_id, data, created_at, expires_at FROM evidence WHERE id = ? AND expires_at > ?",
		id, millis(now)).Scan(&r.ClientID, &r.Data, &created, &expires)
	if err != nil {
		return storage.EvidenceRecord{}, s.fail("get evidence", err)
	}
	r.CreatedAt, r.ExpiresAt = fromMillis(created), fromMillis(expires)
	return r, nil
}

// PurgeEvidence reads up to limit expired records and deletes them one by one
// in the same transaction, keeping those whose DELETE removed a row: on MySQL
// the read is a snapshot but the DELETE sees what a concurrent purge in
// another process committed, so what is returned is exactly what this call
// deleted. A batch is small enough to hold its row locks briefly.
func (s *Store) PurgeEvidence(ctx context.Context, now time.Time, limit int) ([]storage.PurgedEvidence, error) {
	if limit <= 0 || limit > purgeBatchSize {
		limit = purgeBatchSize
	}
	cutoff := millis(now)
	var out []storage.PurgedEvidence
	err := s.withTx(ctx, func(tx *txn) error {
		out = out[:0]
		found, err := expiredEvidence(ctx, tx, cutoff, limit)
		if err != nil {
			return err
		}
		for _, p := range found {
			res, err := tx.ExecContext(ctx, "DELETE FROM evidence WHERE id = ? AND expires_at < ?", p.ID, cutoff)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				out = append(out, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.fail("purge evidence", err)
	}
	return out, nil
}

func expiredEvidence(ctx context.Context, tx *txn, cutoff int64, limit int) ([]storage.PurgedEvidence, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT id, client_id, created_at FROM evidence WHERE expires_at < ? ORDER BY expires_at, id LIMIT ?",
		cutoff, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []storage.PurgedEvidence
	for rows.Next() {
		var (
			p       storage.PurgedEvidence
			created int64
		)
		if err := rows.Scan(&p.ID, &p.ClientID, &created); err != nil {
			return nil, err
		}
		p.CreatedAt = fromMillis(created)
		found = append(found, p)
	}
	return found, rows.Err()
}

const evidenceKeyColumns = "id, algorithm, private_key, public_jwk, created_at, retired_at"

// ListEvidenceKeys returns every evidence key, newest first.
func (s *Store) ListEvidenceKeys(ctx context.Context) ([]storage.EvidenceKey, error) {
	rows, err := s.query(ctx, "SELECT "+evidenceKeyColumns+" FROM evidence_keys ORDER BY created_at DESC, id DESC")
	if err != nil {
		return nil, s.fail("list evidence keys", err)
	}
	defer rows.Close()
	var out []storage.EvidenceKey
	for rows.Next() {
		var (
			k       storage.EvidenceKey
			jwk     []byte
			created int64
			retired sql.NullInt64
		)
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateKey, &jwk, &created, &retired); err != nil {
			return nil, s.fail("list evidence keys", err)
		}
		k.PublicJWK = jwk
		k.CreatedAt = fromMillis(created)
		k.RetiredAt = fromNullMillis(retired)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail("list evidence keys", err)
	}
	return out, nil
}

// RotateEvidenceKey stores k and retires the still current keys of retire in
// one transaction that also touches the lease row (fence), so that a holder
// whose lease moved on writes nothing.
func (s *Store) RotateEvidenceKey(ctx context.Context, lease storage.Lease, k storage.EvidenceKey, retire []string, retiredAt time.Time) error {
	if k.CreatedAt.IsZero() {
		k.CreatedAt = s.now()
	}
	if k.PrivateKey == nil {
		k.PrivateKey = []byte{}
	}
	err := s.writeOnce(ctx, func() error {
		return s.withTx(ctx, func(tx *txn) error {
			if err := s.fence(ctx, tx, lease); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx,
				"INSERT INTO evidence_keys ("+evidenceKeyColumns+") VALUES (?, ?, ?, ?, ?, ?)",
				k.ID, k.Algorithm, k.PrivateKey, string(k.PublicJWK), millis(k.CreatedAt), nullMillis(k.RetiredAt)); err != nil {
				return err
			}
			for _, id := range retire {
				if _, err := tx.ExecContext(ctx,
					"UPDATE evidence_keys SET retired_at = ? WHERE id = ? AND retired_at IS NULL",
					millis(retiredAt), id); err != nil {
					return err
				}
			}
			return s.bumpGenerationTx(ctx, tx, generationEvidenceKeys)
		})
	}, func(ctx context.Context) (bool, error) {
		return s.rowExists(ctx, "SELECT 1 FROM evidence_keys WHERE id = ? AND algorithm = ? AND created_at = ?",
			k.ID, k.Algorithm, millis(k.CreatedAt))
	})
	return s.fail("rotate evidence key "+k.ID, err)
}
