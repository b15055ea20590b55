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

// exec runs a statement that writes, in autocommit, and runs it again after a
// conflict or a lost node. Its callers' statements are safe to repeat (keyed,
// conditional, or setting fixed values), so it also runs again when the
// connection died under it and it may or may not have committed; statements
// that are not use execOnce.
func (s *Store) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.execRetrying(ctx, true, query, args...)
}

// execOnce is exec for a statement that must not run twice blindly (a
// compare-and-swap): when its connection died under it, the error wraps
// errOutcomeUnknown and the caller re-reads what it wrote to tell.
func (s *Store) execOnce(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return s.execRetrying(ctx, false, query, args...)
}

func (s *Store) execRetrying(ctx context.Context, repeatable bool, query string, args ...any) (sql.Result, error) {
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
		var res sql.Result
		if attempt == 1 {
			res, err = stmt.ExecContext(ctx, args...)
		} else {
			// Retries take a connection of their own, to drop it if its node
			// cannot serve; the prepared statement would pick any.
			res, err = s.execOnConn(ctx, query, args...)
		}
		if err == nil {
			return res, nil
		}
		f := s.dialect.fault(err, true)
		if f == faultUnknown && repeatable {
			f = faultNode
		}
		if done, err := s.retryOrStop(ctx, attempt, f, err); done {
			return nil, err
		}
	}
}

// execOnConn runs one autocommit statement on a connection that is dropped if
// its node could not serve or it died.
func (s *Store) execOnConn(ctx context.Context, query string, args ...any) (sql.Result, error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = conn.Close() }()
	res, err := conn.ExecContext(ctx, query, args...)
	if f := s.dialect.fault(err, true); f == faultNode || f == faultUnknown {
		dropConn(conn)
	}
	return res, err
}

// execCount runs a statement that writes and returns the rows it matched.
func (s *Store) execCount(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execCountOnce is execOnce returning the rows the statement matched.
func (s *Store) execCountOnce(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := s.execOnce(ctx, query, args...)
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
