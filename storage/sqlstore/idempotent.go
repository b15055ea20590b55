package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/portvakt/portvakt/internal/randid"
)

// maxUnknownRuns bounds how often a write whose commit had an unknown outcome
// runs in all.
const maxUnknownRuns = 3

// writeOnce runs write, a write keyed by a primary key or a nonce, and resolves
// an unknown commit (errOutcomeUnknown) by asking happened whether the stored
// row is the one write wrote: if so the write is done; if not, it runs again.
// An error of a run after an unknown one is checked the same way, since a
// duplicate key or a lost compare-and-swap may be the first run's own success.
func (s *Store) writeOnce(ctx context.Context, write func() error, happened func(context.Context) (bool, error)) error {
	err := write()
	for run := 1; errors.Is(err, errOutcomeUnknown) && run < maxUnknownRuns; run++ {
		ok, readErr := happened(ctx)
		if readErr != nil {
			return errors.Join(err, readErr)
		}
		if ok {
			return nil
		}
		if err = write(); err != nil && !errors.Is(err, errOutcomeUnknown) {
			if ok, readErr := happened(ctx); readErr == nil && ok {
				return nil
			}
		}
	}
	return err
}

// rowExists reports whether query (SELECT 1 ... by key and the values written)
// finds a row.
func (s *Store) rowExists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := s.queryRow(ctx, query, args...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.fail("re-read", err)
	}
	return true, nil
}

// newNonce names one compare-and-swap, written into the row it changes.
func newNonce() string { return randid.Hex(12) }
