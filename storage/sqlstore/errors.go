package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
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

const (
	mysqlErrDupEntry = 1062
	mysqlErrDeadlock = 1213
)

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

// mysqlIsDeadlock: InnoDB picks a victim when, for example, two sessions both
// hold a gap lock from an UPDATE that matched nothing and then INSERT into it.
func mysqlIsDeadlock(err error) bool {
	var e *mysql.MySQLError
	return errors.As(err, &e) && e.Number == mysqlErrDeadlock
}

func mysqlIsUnavailable(err error) bool {
	var e *mysql.MySQLError
	if errors.As(err, &e) {
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
