package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/portvakt/portvakt/internal/groupcommit"
)

// groupCommit hands SQLite's single writer the statements of concurrent requests
// in batches, one transaction per batch. A commit costs the WAL frames of every
// page it touched, and concurrent logins touch the same pages, so a batch of many
// statements costs little more than one. A statement that breaks a constraint is
// undone alone (SQLite aborts the statement, not the transaction); any other
// failure of a statement or the commit rolls the batch back and runs its
// statements one at a time, so one bad statement never fails the others.
type groupCommit struct {
	db    *sql.DB
	stmts *stmtCache
	// isStatementError: the error undid the statement only.
	isStatementError func(error) bool
	engine           *groupcommit.Engine[*writeJob]
}

// writeJob is one statement that writes, and what it gave.
type writeJob struct {
	ctx   context.Context
	query string
	args  []any
	// scan, when set, runs the statement as a query (UPDATE ... RETURNING) and
	// reads its row; it runs on the writer's goroutine while the caller waits.
	scan   func(scanner) error
	stmt   *sql.Stmt
	result sql.Result
	err    error
}

// maxBatch bounds how long one commit makes the first statement of a batch wait.
const maxBatch = 64

var errStoreClosed = errors.New("sqlstore: store closed")

func newGroupCommit(db *sql.DB, stmts *stmtCache, isStatementError func(error) bool) *groupCommit {
	g := &groupCommit{db: db, stmts: stmts, isStatementError: isStatementError}
	g.engine = groupcommit.New(maxBatch, g.runBatch)
	return g
}

// do runs j and waits for it. A caller whose context ends while j waits in line
// gets the context's error and j does not run; once j runs, do waits for it, as
// its scan writes into the caller's memory.
func (g *groupCommit) do(ctx context.Context, j *writeJob) error {
	j.ctx = ctx
	if err := g.engine.Do(ctx, j); err != nil {
		if errors.Is(err, groupcommit.ErrClosed) {
			return errStoreClosed
		}
		return err
	}
	return j.err
}

// close stops the writer once the batch it runs is done.
func (g *groupCommit) close() { g.engine.Close() }

func (g *groupCommit) runBatch(batch []*writeJob) {
	if len(batch) == 1 {
		g.runAlone(batch[0])
		return
	}
	// Not the callers' contexts: cancelling a statement inside a transaction makes
	// SQLite roll back the whole transaction, other callers' writes included.
	ctx := context.Background()
	for _, j := range batch {
		// Prepared before the transaction takes the writer's one connection.
		if j.stmt, j.err = g.stmts.get(ctx, j.query); j.err != nil {
			g.runEachAlone(batch)
			return
		}
	}
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		// The database would not start a write (locked past busy_timeout, or
		// gone): each statement alone would wait for the same answer in turn.
		for _, j := range batch {
			j.err = err
		}
		return
	}
	for _, j := range batch {
		if j.err = j.ctx.Err(); j.err != nil {
			continue
		}
		j.err = g.runIn(ctx, tx, j)
		if j.err != nil && !g.isStatementError(j.err) {
			_ = tx.Rollback()
			g.runEachAlone(batch)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		_ = tx.Rollback()
		g.runEachAlone(batch)
	}
}

func (g *groupCommit) runEachAlone(batch []*writeJob) {
	for _, j := range batch {
		j.result, j.err = nil, nil
		g.runAlone(j)
	}
}

// runAlone runs j in autocommit, where its own context may cancel it.
func (g *groupCommit) runAlone(j *writeJob) {
	if j.err = j.ctx.Err(); j.err != nil {
		return
	}
	stmt, err := g.stmts.get(j.ctx, j.query)
	if err != nil {
		j.err = err
		return
	}
	if j.scan != nil {
		j.err = j.scan(stmt.QueryRowContext(j.ctx, j.args...))
		return
	}
	j.result, j.err = stmt.ExecContext(j.ctx, j.args...)
}

func (g *groupCommit) runIn(ctx context.Context, tx *sql.Tx, j *writeJob) error {
	stmt := tx.StmtContext(ctx, j.stmt) // prepared on the writer's connection: reused
	if j.scan != nil {
		return j.scan(stmt.QueryRowContext(ctx, j.args...))
	}
	var err error
	j.result, err = stmt.ExecContext(ctx, j.args...)
	return err
}
