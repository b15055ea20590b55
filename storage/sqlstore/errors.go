package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portvakt/portvakt/storage"
)

// fail wraps err with the operation and, where it applies, the storage sentinel
// callers test with errors.Is.
func (s *Store) fail(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", op, storage.ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, err)
	case s.dialect.isDuplicate(err):
		return fmt.Errorf("%s: %w: %w", op, storage.ErrAlreadyExists, err)
	case s.dialect.isUnavailable(err):
		return fmt.Errorf("%s: %w: %w", op, storage.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

func sqliteIsDuplicate(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	code := e.Code()
	return code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || code == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

// sqliteIsStatementError reports an error that undid one statement and left
// its transaction going: a broken constraint aborts the statement only, and no
// row is no change at all.
func sqliteIsStatementError(err error) bool {
	if errors.Is(err, sql.ErrNoRows) {
		return true
	}
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// sqliteIsUnavailable reports a database that is locked beyond busy_timeout or
// cannot be opened: both pass, so callers may answer "try again".
func sqliteIsUnavailable(err error) bool {
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN:
		return true
	}
	return false
}

// MySQL and MariaDB server error numbers the store tells apart.
const (
	mysqlErrDupEntry        = 1062
	mysqlErrDeadlock        = 1213 // SQLSTATE 40001; Galera's certification failure too
	mysqlErrLockWaitTimeout = 1205
	mysqlErrUnknownCommand  = 1047 // Galera: node not ready (not in the Primary Component)
	mysqlErrDuringCommit    = 1180 // Galera: quorum lost, or wsrep_max_ws_rows exceeded
	mysqlErrUnknownError    = 1105 // Galera: wsrep_max_ws_size exceeded
	mysqlErrNotSupported    = 1235
	mysqlErrTableExists     = 1050
	mysqlErrDupFieldName    = 1060
	mysqlErrDupKeyName      = 1061
	mysqlErrCantDropField   = 1091
	mysqlErrBadFieldName    = 1054
)

// fault says what a failed statement or commit means for running it again.
// Every retry decision of the store is made from this one classification.
type fault int

const (
	// faultFinal: the error stands (a broken constraint, a write set over the
	// cluster's limits, a bug); running the same thing again gives the same answer.
	faultFinal fault = iota
	// faultConflict: the database rolled the transaction back to break a
	// deadlock, lost a certification race (1213/40001) or waited too long for a
	// lock (1205). Run the whole transaction again after a short, random wait.
	faultConflict
	// faultNode: the node cannot serve writes (1047, or 1180 "not connected to
	// Primary Component") or the connection died before COMMIT was sent. Nothing
	// was committed; drop the connection and run again on a fresh one.
	faultNode
	// faultUnknown: the connection died while COMMIT (or an autocommit
	// statement) was under way, so the write may or may not have happened. Only
	// a caller that can tell by re-reading may run it again.
	faultUnknown
)

func (f fault) String() string {
	switch f {
	case faultConflict:
		return "conflict"
	case faultNode:
		return "node"
	case faultUnknown:
		return "unknown outcome"
	default:
		return "final"
	}
}

// errOutcomeUnknown marks a write whose connection died while it committed.
var errOutcomeUnknown = errors.New("sqlstore: connection lost during commit, outcome unknown")

// mysqlFault classifies err from a statement (committing false) or from COMMIT
// or an autocommit statement (committing true).
func mysqlFault(err error, committing bool) fault {
	if err == nil {
		return faultFinal
	}
	var e *mysql.MySQLError
	if errors.As(err, &e) {
		switch e.Number {
		case mysqlErrDupEntry, mysqlErrUnknownError, mysqlErrNotSupported:
			// A key taken, a write set over wsrep_max_ws_size, a feature the
			// cluster refuses: never retried.
			return faultFinal
		case mysqlErrDeadlock, mysqlErrLockWaitTimeout:
			return faultConflict
		case mysqlErrUnknownCommand:
			return faultNode
		case mysqlErrDuringCommit:
			// The same number reports a write set over wsrep_max_ws_rows, which
			// no retry cures.
			if strings.Contains(e.Message, "Primary Component") {
				return faultNode
			}
			return faultFinal
		}
		if e.SQLState == [5]byte{'4', '0', '0', '0', '1'} {
			return faultConflict
		}
		return faultFinal
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return faultFinal
	}
	if isDeadConnection(err) {
		if committing {
			return faultUnknown
		}
		return faultNode
	}
	return faultFinal
}

// isDeadConnection reports a connection that broke under a statement.
func isDeadConnection(err error) bool {
	var netErr net.Error
	return errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr)
}

// mysqlIsSchemaAlreadyDone reports a DDL error that means another process made
// the same change first: table exists, duplicate column or key, nothing to
// drop; and, for an ALTER TABLE, an unknown column, which is what renaming a
// column that was renamed already says.
func mysqlIsSchemaAlreadyDone(stmt string, err error) bool {
	var e *mysql.MySQLError
	if !errors.As(err, &e) {
		return false
	}
	switch e.Number {
	case mysqlErrTableExists, mysqlErrDupFieldName, mysqlErrDupKeyName, mysqlErrCantDropField:
		return true
	case mysqlErrBadFieldName:
		return strings.HasPrefix(strings.ToUpper(strings.TrimSpace(stmt)), "ALTER TABLE")
	}
	return false
}

// MySQL server errors that mean "not now" rather than "wrong request".
var mysqlUnavailableErrors = map[uint16]bool{
	1040: true, // too many connections
	1053: true, // server shutdown in progress
	1290: true, // running with --read-only
	1792: true, // read-only transaction
	1836: true, // read-only mode
	1927: true, // connection killed
	4031: true, // disconnected by the server for inactivity
}

func mysqlIsDuplicate(err error) bool {
	var e *mysql.MySQLError
	return errors.As(err, &e) && e.Number == mysqlErrDupEntry
}

func mysqlIsUnavailable(err error) bool {
	var e *mysql.MySQLError
	if errors.As(err, &e) {
		// Still conflicting or on a node without quorum after every retry:
		// "try again" is the honest answer.
		if f := mysqlFault(err, false); f == faultConflict || f == faultNode {
			return true
		}
		return mysqlUnavailableErrors[e.Number]
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.Is(err, mysql.ErrInvalidConn),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.As(err, &netErr):
		return true
	}
	return strings.Contains(err.Error(), "connection refused")
}
