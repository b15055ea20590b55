package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/storage"
)

func TestMySQLFault(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		committing bool
		want       fault
	}{
		{"deadlock or certification failure", &mysql.MySQLError{Number: 1213, SQLState: [5]byte{'4', '0', '0', '0', '1'}}, false, faultConflict},
		{"deadlock at commit", &mysql.MySQLError{Number: 1213}, true, faultConflict},
		{"lock wait timeout", &mysql.MySQLError{Number: 1205}, false, faultConflict},
		{"other serialization failure", &mysql.MySQLError{Number: 1614, SQLState: [5]byte{'4', '0', '0', '0', '1'}}, false, faultConflict},
		{"node not ready", &mysql.MySQLError{Number: 1047, Message: "WSREP has not yet prepared node for application use"}, false, faultNode},
		{"quorum lost at commit", &mysql.MySQLError{Number: 1180, Message: "Got error 6 \"No such device or address\" during COMMIT: Not connected to Primary Component"}, true, faultNode},
		{"too many rows in the write set", &mysql.MySQLError{Number: 1180, Message: "Got error 90 \"Message too long\" during COMMIT: wsrep_max_ws_rows exceeded"}, true, faultFinal},
		{"write set too large", &mysql.MySQLError{Number: 1105, Message: "Maximum writeset size exceeded"}, true, faultFinal},
		{"not supported", &mysql.MySQLError{Number: 1235}, false, faultFinal},
		{"duplicate key", &mysql.MySQLError{Number: 1062}, false, faultFinal},
		{"connection died under a statement", mysql.ErrInvalidConn, false, faultNode},
		{"connection died during commit", fmt.Errorf("commit: %w", mysql.ErrInvalidConn), true, faultUnknown},
		{"bad connection before commit", sqlDriverBadConn(), false, faultNode},
		{"cancelled", context.Canceled, true, faultFinal},
		{"no row", sql.ErrNoRows, false, faultFinal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mysqlFault(tc.err, tc.committing); got != tc.want {
				t.Errorf("mysqlFault(%v, committing %v) = %s, want %s", tc.err, tc.committing, got, tc.want)
			}
		})
	}
}

func TestWriteOnceResolvesUnknownCommits(t *testing.T) {
	errDup := errors.New("duplicate key")
	unknown := fmt.Errorf("%w: connection lost", errOutcomeUnknown)
	for _, tc := range []struct {
		name     string
		runs     []error // what each run of the write returns
		happened []bool  // what each re-read finds
		wantErr  error
		wantRuns int
	}{
		{"plain success", []error{nil}, nil, nil, 1},
		{"plain duplicate stands", []error{errDup}, nil, errDup, 1},
		{"lost commit that happened", []error{unknown}, []bool{true}, nil, 1},
		{"lost commit that did not happen runs again", []error{unknown, nil}, []bool{false}, nil, 2},
		{"run again finds its own row", []error{unknown, errDup}, []bool{false, true}, nil, 2},
		{"run again finds another writer's row", []error{unknown, errDup}, []bool{false, false}, errDup, 2},
		{"unknown every time gives up", []error{unknown, unknown, unknown}, []bool{false, false}, errOutcomeUnknown, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Store{}
			runs, reads := 0, 0
			err := s.writeOnce(t.Context(), func() error {
				runs++
				return tc.runs[runs-1]
			}, func(context.Context) (bool, error) {
				reads++
				return tc.happened[reads-1], nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("error = %v, want %v", err, tc.wantErr)
			}
			if runs != tc.wantRuns {
				t.Errorf("write ran %d times, want %d", runs, tc.wantRuns)
			}
		})
	}
}

// TestMySQLTxAbandonedAtFirstError provokes a real deadlock inside withTx. The
// server rolls the victim back; a function that ignores the error and writes on
// must not get that write committed (on a bare *sql.Tx it autocommits), and
// the whole function runs again.
func TestMySQLTxAbandonedAtFirstError(t *testing.T) {
	ctx := t.Context()
	s := openMySQLForTest(t)
	mustExec := func(db interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
	}, query string, args ...any,
	) {
		t.Helper()
		if _, err := db.ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	mustExec(s.write, "CREATE TABLE tx_rows (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB")
	mustExec(s.write, "CREATE TABLE tx_marks (name VARCHAR(32) NOT NULL PRIMARY KEY) ENGINE=InnoDB")
	for id := 1; id <= 12; id++ {
		mustExec(s.write, "INSERT INTO tx_rows (id, v) VALUES (?, 0)", id)
	}

	// The other transaction locks rows 2..12 first: it weighs more, so InnoDB
	// picks withTx's transaction as the victim.
	other, err := s.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	otherTx, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(otherTx, "UPDATE tx_rows SET v = v + 1 WHERE id BETWEEN 2 AND 12")

	runs := 0
	otherDone := make(chan error, 1)
	err = s.withTx(ctx, func(tx *txn) error {
		runs++
		if _, err := tx.ExecContext(ctx, "UPDATE tx_rows SET v = v + 1 WHERE id = 1"); err != nil {
			return err
		}
		if runs > 1 {
			_, err := tx.ExecContext(ctx, "INSERT INTO tx_marks (name) VALUES ('second run')")
			return err
		}
		go func() {
			_, err := otherTx.ExecContext(ctx, "UPDATE tx_rows SET v = v + 1 WHERE id = 1")
			if err == nil {
				err = otherTx.Commit()
			}
			otherDone <- err
		}()
		waitForLockWait(t, s.write)
		// Closes the cycle: this transaction is rolled back (1213)...
		_, deadlock := tx.ExecContext(ctx, "UPDATE tx_rows SET v = v + 1 WHERE id = 2")
		if !mysqlIsConflict(deadlock) {
			t.Errorf("closing the lock cycle gave %v, want a deadlock", deadlock)
		}
		// ...and a careless function writes on and reports success.
		if _, err := tx.ExecContext(ctx, "INSERT INTO tx_marks (name) VALUES ('after the deadlock')"); !errors.Is(err, deadlock) {
			t.Errorf("statement after the deadlock gave %v, want the deadlock again", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("withTx: %v", err)
	}
	if err := <-otherDone; err != nil {
		t.Fatalf("other transaction: %v", err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2", runs)
	}
	rows, err := s.write.QueryContext(ctx, "SELECT name FROM tx_marks ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var marks []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		marks = append(marks, name)
	}
	if len(marks) != 1 || marks[0] != "second run" {
		t.Errorf("committed marks = %q, want only the second run's", marks)
	}
	if got := s.TxStats(); got.Retries != 1 || got.GaveUp != 0 {
		t.Errorf("TxStats = %+v, want one retry", got)
	}
}

func mysqlIsConflict(err error) bool { return mysqlFault(err, false) == faultConflict }

// waitForLockWait returns once some transaction waits for a row lock.
func waitForLockWait(t *testing.T, db *sql.DB) {
	t.Helper()
	for {
		var waiting int
		if err := db.QueryRowContext(t.Context(),
			"SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'").Scan(&waiting); err != nil {
			t.Fatalf("read innodb_trx: %v", err)
		}
		if waiting > 0 {
			return
		}
		if t.Context().Err() != nil {
			t.Fatal("no transaction waited for a lock")
		}
	}
}

func openMySQLForTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), Config{Driver: DriverMySQL, DSN: testenv.MySQLDatabase(t)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func sqlDriverBadConn() error { return fmt.Errorf("begin: %w", driver.ErrBadConn) }

// TestMySQLLostCommitIsResolvedNotRetried cuts the connection under a
// transaction just before COMMIT: the outcome is unknown to the store. withTx
// must not run the function again on its own; writeOnce re-reads, finds the
// write did not happen, and runs it once more.
func TestMySQLLostCommitIsResolvedNotRetried(t *testing.T) {
	ctx := t.Context()
	s := openMySQLForTest(t)
	if _, err := s.write.ExecContext(ctx, "CREATE TABLE lost_commits (id VARCHAR(16) NOT NULL PRIMARY KEY) ENGINE=InnoDB"); err != nil {
		t.Fatal(err)
	}
	runs := 0
	write := func() error {
		return s.withTx(ctx, func(tx *txn) error {
			runs++
			if _, err := tx.ExecContext(ctx, "INSERT INTO lost_commits (id) VALUES ('one')"); err != nil {
				return err
			}
			if runs > 1 {
				return nil
			}
			var id int64
			if err := tx.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
				return err
			}
			_, err := s.write.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id))
			return err
		})
	}
	happened := func(ctx context.Context) (bool, error) {
		return s.rowExists(ctx, "SELECT 1 FROM lost_commits WHERE id = 'one'")
	}

	if err := write(); !errors.Is(err, errOutcomeUnknown) {
		t.Fatalf("withTx with its connection cut before COMMIT: %v, want errOutcomeUnknown", err)
	}
	if runs != 1 {
		t.Fatalf("withTx ran fn %d times after an unknown commit, want 1 (no blind retry)", runs)
	}
	runs = 0
	if err := s.writeOnce(ctx, write, happened); err != nil {
		t.Fatalf("writeOnce: %v", err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2 (cut, then once more after the re-read)", runs)
	}
	if ok, err := happened(ctx); err != nil || !ok {
		t.Errorf("row stored: %v, %v; want it stored", ok, err)
	}
	if got := s.TxStats().Unknown; got != 2 {
		t.Errorf("TxStats().Unknown = %d, want 2", got)
	}
}

func TestMySQLRetriedOutIsUnavailable(t *testing.T) {
	s := &Store{dialect: mysqlDialect}
	for _, err := range []error{
		&mysql.MySQLError{Number: 1047, Message: "WSREP has not yet prepared node for application use"},
		&mysql.MySQLError{Number: 1180, Message: "Got error 6 during COMMIT: Not connected to Primary Component"},
		fmt.Errorf("gave up after 10 attempts: %w", &mysql.MySQLError{Number: 1213}),
	} {
		if got := s.fail("write", err); !errors.Is(got, storage.ErrUnavailable) {
			t.Errorf("fail(%v) = %v, want ErrUnavailable", err, got)
		}
	}
	if got := s.fail("write", &mysql.MySQLError{Number: 1180, Message: "wsrep_max_ws_rows exceeded"}); errors.Is(got, storage.ErrUnavailable) {
		t.Errorf("a write set over the row limit is ErrUnavailable: %v", got)
	}
}

func TestMySQLSchemaAlreadyDone(t *testing.T) {
	for _, tc := range []struct {
		stmt   string
		number uint16
		want   bool
	}{
		{"CREATE TABLE t (id INT PRIMARY KEY)", 1050, true},
		{"ALTER TABLE t ADD COLUMN c INT", 1060, true},
		{"ALTER TABLE t ADD KEY k (c)", 1061, true},
		{"ALTER TABLE t DROP INDEX k", 1091, true},
		{"ALTER TABLE t CHANGE COLUMN id chain BIGINT NOT NULL", 1054, true},
		{"UPDATE t SET missing = 1", 1054, false},
		{"ALTER TABLE t ADD COLUMN c INT", 1213, false},
		{"INSERT INTO t VALUES (1)", 1062, false},
	} {
		if got := mysqlIsSchemaAlreadyDone(tc.stmt, &mysql.MySQLError{Number: tc.number}); got != tc.want {
			t.Errorf("%q with %d: already done = %v, want %v", tc.stmt, tc.number, got, tc.want)
		}
	}
}
