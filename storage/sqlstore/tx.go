package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"
)

// maxTxAttempts bounds how often one write runs in all: the first run and the
// retries after conflicts or a lost node. Retries are also bounded by ctx.
const maxTxAttempts = 10

// txn is the transaction a withTx function works in. It has *sql.Tx's methods,
// but remembers the first error: after it, every call returns that error
// without touching the database, and withTx never commits. This matters on
// MySQL: after a deadlock or a Galera certification failure (1213) the server
// has already rolled the transaction back, and further statements on the same
// connection would run in autocommit, so a function that ignored one error
// would write half its work for good.
type txn struct {
	tx  *sql.Tx
	err error
}

// fail records err as the transaction's first error (sql.ErrNoRows is an
// answer, not a failure) and returns it.
func (t *txn) fail(err error) error {
	if err != nil && t.err == nil && !errors.Is(err, sql.ErrNoRows) {
		t.err = err
	}
	return err
}

// ExecContext runs a statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t.err != nil {
		return nil, t.err
	}
	res, err := t.tx.ExecContext(ctx, query, args...)
	return res, t.fail(err)
}

// QueryRowContext reads one row in the transaction; its error comes with Scan.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *txRow {
	if t.err != nil {
		return &txRow{t: t, err: t.err}
	}
	return &txRow{t: t, row: t.tx.QueryRowContext(ctx, query, args...)}
}

// QueryContext reads rows in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*txRows, error) {
	if t.err != nil {
		return nil, t.err
	}
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, t.fail(err)
	}
	return &txRows{Rows: rows, t: t}, nil
}

// txRow is a row read in a txn.
type txRow struct {
	t   *txn
	row *sql.Row
	err error
}

// Scan copies the row into dest, or returns the transaction's first error.
func (r *txRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.t.fail(r.row.Scan(dest...))
}

// txRows are rows read in a txn; their errors become the transaction's.
type txRows struct {
	*sql.Rows
	t *txn
}

// Scan copies the current row into dest.
func (r *txRows) Scan(dest ...any) error { return r.t.fail(r.Rows.Scan(dest...)) }

// Err is the error that ended the iteration, if any.
func (r *txRows) Err() error { return r.t.fail(r.Rows.Err()) }

// TxStats counts what the store's retrying cost, for the broker's metrics.
type TxStats struct {
	// Retries is how many writes ran again after a conflict or a lost node.
	Retries uint64
	// GaveUp is how many writes failed after maxTxAttempts runs.
	GaveUp uint64
	// Unknown is how many writes lost their connection while committing.
	Unknown uint64
}

// txCounters are a store's TxStats as they grow.
type txCounters struct {
	retries, gaveUp, unknown atomic.Uint64
}

// TxStats returns the retry counters since Open.
func (s *Store) TxStats() TxStats {
	return TxStats{Retries: s.txStats.retries.Load(), GaveUp: s.txStats.gaveUp.Load(), Unknown: s.txStats.unknown.Load()}
}

// withTx runs fn in a write transaction (BEGIN IMMEDIATE on SQLite) and
// commits it. It runs fn again, in a new transaction and after a jittered
// backoff, when the database rolled it back for a conflict or the node could not
// serve it; never after a final error. fn must do all its work through tx and
// keep no state from an earlier run. When the connection dies during COMMIT the
// error wraps errOutcomeUnknown and fn is not run again: the caller decides, by
// re-reading what it wrote, whether it happened.
func (s *Store) withTx(ctx context.Context, fn func(tx *txn) error) error {
	for attempt := 1; ; attempt++ {
		f, err := s.runTx(ctx, fn)
		if err == nil {
			return nil
		}
		if done, err := s.retryOrStop(ctx, attempt, f, err); done {
			return err
		}
	}
}

// retryOrStop counts and waits before attempt+1, or says to stop with err.
func (s *Store) retryOrStop(ctx context.Context, attempt int, f fault, err error) (bool, error) {
	switch f {
	case faultConflict, faultNode:
	case faultUnknown:
		s.txStats.unknown.Add(1)
		return true, fmt.Errorf("%w: %w", errOutcomeUnknown, err)
	default:
		return true, err
	}
	if attempt >= maxTxAttempts {
		s.txStats.gaveUp.Add(1)
		return true, fmt.Errorf("gave up after %d attempts: %w", attempt, err)
	}
	if waitErr := backoff(ctx, attempt); waitErr != nil {
		return true, errors.Join(err, waitErr)
	}
	s.txStats.retries.Add(1)
	return false, nil
}

// runTx runs fn once on a connection of its own, so that a connection to a
// node that cannot serve is dropped instead of going back to the pool.
func (s *Store) runTx(ctx context.Context, fn func(tx *txn) error) (fault, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return s.dialect.fault(err, false), err
	}
	f, err := s.runTxOn(ctx, conn, fn)
	if f == faultNode || f == faultUnknown {
		dropConn(conn)
	}
	_ = conn.Close()
	return f, err
}

func (s *Store) runTxOn(ctx context.Context, conn *sql.Conn, fn func(tx *txn) error) (fault, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return s.dialect.fault(err, false), err
	}
	t := &txn{tx: tx}
	err = fn(t)
	if err == nil {
		// A function that swallowed an error must not commit what came before it.
		err = t.err
	}
	if err != nil {
		_ = tx.Rollback()
		// The first database error decides; fn may have wrapped or replaced it.
		cause := t.err
		if cause == nil {
			cause = err
		}
		return s.dialect.fault(cause, false), err
	}
	if err := tx.Commit(); err != nil {
		return s.dialect.fault(err, true), err
	}
	return faultFinal, nil
}

// dropConn closes the connection under conn for good: database/sql discards a
// connection whose Raw call reports it bad.
func dropConn(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
