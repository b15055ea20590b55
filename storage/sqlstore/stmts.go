package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache prepares each query once per pool. Preparing lazily (not at Open)
// lets Open succeed on an empty database that Migrate has yet to fill.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: make(map[string]*sql.Stmt)}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	stmt := c.stmts[query]
	c.mu.Unlock()
	if stmt != nil {
		return stmt, nil
	}
	// Prepare outside the lock: it takes a connection, which may have to wait.
	stmt, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if existing := c.stmts[query]; existing != nil {
		_ = stmt.Close()
		return existing, nil
	}
	c.stmts[query] = stmt
	return stmt, nil
}

func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, stmt := range c.stmts {
		errs = append(errs, stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface {
	Scan(dest ...any) error
}

// errRow is a row whose query could not even be prepared.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// maxDeadlockRetries bounds how often a statement or transaction that the
// database chose as a deadlock victim (and rolled back) is run again.
const maxDeadlockRetries = 5

// exec runs a statement that writes (in autocommit, so a deadlock victim is
// rolled back whole and can simply run again).
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s.group != nil {
		j := &writeJob{query: query, args: args}
		err := s.group.do(ctx, j)
		return j.result, err
	}
	stmt, err := s.writeStmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		res, err := stmt.ExecContext(ctx, args...)
		if err == nil || attempt > maxDeadlockRetries || !s.dialect.isDeadlock(err) {
			return res, err
		}
		if err := backoff(ctx, attempt); err != nil {
			return nil, err
		}
	}
}

// execCount runs a statement that writes and returns the rows it matched.
func (s *Store) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// queryRow reads one row.
func (s *Store) queryRow(ctx context.Context, query string, args ...any) scanner {
	stmt, err := s.readStmts.get(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return stmt.QueryRowContext(ctx, args...)
}

// query reads rows.
func (s *Store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	stmt, err := s.readStmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.QueryContext(ctx, args...)
}

// inTx runs fn in a write transaction (BEGIN IMMEDIATE on SQLite), again from
// the start if the database picked it as a deadlock victim. fn must use only tx
// (on SQLite the transaction holds the one write connection) and must not keep
// state from an earlier run.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.runTx(ctx, fn)
		if err == nil || attempt > maxDeadlockRetries || !s.dialect.isDeadlock(err) {
			return err
		}
		if err := backoff(ctx, attempt); err != nil {
			return err
		}
	}
}

func (s *Store) runTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
