package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var _ storage.Storage = (*Store)(nil)

// Dialect names accepted in Config.Driver.
const (
	DriverSQLite = "sqlite"
	DriverMySQL  = "mysql"
)

// Config says which database to open.
type Config struct {
	// Driver is "sqlite" or "mysql" (MySQL and MariaDB).
	Driver string
	// DSN is, for SQLite, a file path or a "file:" URI (the required pragmas are
	// added unless the DSN sets them); for MySQL, a go-sql-driver DSN such as
	// "user:pass@tcp(host:3306)/portvakt".
	DSN    string
	Logger *slog.Logger
	// Now is the clock used for expiry checks that take no explicit time
	// (GetAuthRequest, GetToken, FindSession, AcquireLease...). Nil means time.Now.
	Now func() time.Time
	// CounterShard is the rate-counter shard this store writes (1 and up); 0
	// picks one at random on MySQL (SQLite counts in one shard). Brokers on
	// different Galera nodes should not share one.
	CounterShard int
}

// Store is storage.Storage over SQLite or MySQL. It is safe for concurrent use.
type Store struct {
	dialect *dialect
	log     *slog.Logger
	now     func() time.Time

	// write and read are the same pool except on file-backed SQLite, where write
	// has a single connection and read many read-only ones.
	write *sql.DB
	read  *sql.DB

	writeStmts *stmtCache
	readStmts  *stmtCache
	// group batches SQLite's single-statement writes; nil on MySQL, whose
	// connections commit in parallel and whose log is flushed in groups already.
	group *groupCommit

	// counterShard is the rate-counter row this store writes (Hit).
	counterShard int

	// txStats counts retries and give-ups (TxStats).
	txStats txCounters
}

// Open connects to the database and checks that it answers. It does not create
// or change the schema: call Migrate for that.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{log: log, now: now, counterShard: pickCounterShard(cfg)}

	var err error
	switch cfg.Driver {
	case DriverSQLite:
		s.dialect = sqliteDialect
		s.write, s.read, err = openSQLite(cfg.DSN)
	case DriverMySQL:
		s.dialect = mysqlDialect
		s.write, err = openMySQL(ctx, cfg.DSN, log)
		s.read = s.write
	default:
		return nil, fmt.Errorf("open storage: unknown driver %q (want %q or %q)", cfg.Driver, DriverSQLite, DriverMySQL)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s storage: %w", cfg.Driver, err)
	}
	s.writeStmts = newStmtCache(s.write)
	s.readStmts = s.writeStmts
	if s.read != s.write {
		s.readStmts = newStmtCache(s.read)
	}
	if s.dialect.name == DriverSQLite {
		s.group = newGroupCommit(s.write, s.writeStmts, sqliteIsStatementError)
	}
	if err := s.Ping(ctx); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open %s storage: %w", cfg.Driver, err)
	}
	return s, nil
}

// DB is the pool that writes go through (for tests and tooling).
func (s *Store) DB() *sql.DB { return s.write }

// Dialect is "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.dialect.name }

// Ping checks the database answers and, on a Galera node, that the node is
// Primary, Synced and ready (a storage.NotReadyError says which it is not).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return s.fail("ping", err)
	}
	if s.read != s.write {
		if err := s.read.PingContext(ctx); err != nil {
			return s.fail("ping", err)
		}
	}
	return s.clusterReady(ctx)
}

// Close releases the prepared statements and the pools.
func (s *Store) Close() error {
	if s.group != nil {
		s.group.close()
	}
	errs := []error{s.writeStmts.close()}
	if s.read != s.write {
		errs = append(errs, s.readStmts.close(), s.read.Close())
	}
	errs = append(errs, s.write.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close storage: %w", err)
	}
	return nil
}
