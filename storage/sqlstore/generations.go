package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// Generation returns the named counter, 0 if it was never bumped.
func (s *Store) Generation(ctx context.Context, name string) (int64, error) {
	var value int64
	err := s.queryRow(ctx, "SELECT value FROM generations WHERE name = ?", name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.fail("get generation "+name, err)
	}
	return value, nil
}

// BumpGeneration adds one to the named counter.
func (s *Store) BumpGeneration(ctx context.Context, name string) error {
	_, err := s.exec(ctx, s.dialect.bumpGeneration, name)
	return s.fail("bump generation "+name, err)
}

// bumpGenerationTx bumps inside the transaction that made the change, so no
// process can see the change without the new generation.
func (s *Store) bumpGenerationTx(ctx context.Context, tx *txn, name string) error {
	_, err := tx.ExecContext(ctx, s.dialect.bumpGeneration, name)
	return err
}

// changeOneAndBump runs a statement that must change exactly one row (else
// sql.ErrNoRows) and bumps the generation in the same transaction. A run after
// an unknown commit changes nothing, so happened tells whether the first did.
func (s *Store) changeOneAndBump(ctx context.Context, generation string, happened func(context.Context) (bool, error), query string, args ...any) error {
	return s.writeOnce(ctx, func() error {
		return s.withTx(ctx, func(tx *txn) error {
			res, err := tx.ExecContext(ctx, query, args...)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if n == 0 {
				return sql.ErrNoRows
			}
			return s.bumpGenerationTx(ctx, tx, generation)
		})
	}, happened)
}
