package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqlitePragma is a setting every SQLite connection needs, with the DSN
// shorthand keys that set the same thing (a caller's own choice wins).
type sqlitePragma struct {
	name      string
	value     string
	shorthand []string
}

var requiredSQLitePragmas = []sqlitePragma{
	// Writers from other processes wait instead of failing with SQLITE_BUSY.
	{"busy_timeout", "10000", []string{"_busy_timeout", "_timeout"}},
	// Readers and the writer do not block each other.
	{"journal_mode", "WAL", []string{"_journal_mode", "_journal"}},
	{"foreign_keys", "1", []string{"_foreign_keys", "_fk"}},
	// Durable across process crashes; in WAL mode only a power loss can drop the
	// last commits, which costs a re-login, not consistency.
	{"synchronous", "NORMAL", []string{"_synchronous", "_sync"}},
}

// sqliteDSN adds what the store relies on to the caller's DSN, which may be a
// bare file path: the pragmas above, and BEGIN IMMEDIATE for transactions so a
// transaction that writes takes the lock up front instead of failing to upgrade.
// readOnly adds query_only for the read pool. memory reports an in-memory
// database, which exists once per connection and so needs a single pool.
func sqliteDSN(dsn string, readOnly bool) (out string, memory bool, err error) {
	if strings.TrimSpace(dsn) == "" {
		return "", false, errors.New("empty sqlite dsn")
	}
	base, rawQuery, _ := strings.Cut(dsn, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", false, fmt.Errorf("parse sqlite dsn query: %w", err)
	}
	memory = base == ":memory:" || strings.HasPrefix(base, "file::memory:") || q.Get("mode") == "memory"

	for _, p := range requiredSQLitePragmas {
		if memory && p.name == "journal_mode" {
			continue
		}
		if hasSQLitePragma(q, p) {
			continue
		}
		q.Add("_pragma", p.name+"("+p.value+")")
	}
	if q.Get("_txlock") == "" {
		q.Set("_txlock", "immediate")
	}
	if readOnly {
		q.Set("_query_only", "1")
	}
	return base + "?" + q.Encode(), memory, nil
}

func hasSQLitePragma(q url.Values, p sqlitePragma) bool {
	for _, key := range p.shorthand {
		if q.Get(key) != "" {
			return true
		}
	}
	for _, v := range q["_pragma"] {
		name := strings.ToLower(strings.TrimSpace(v))
		if i := strings.IndexAny(name, "(= "); i >= 0 {
			name = name[:i]
		}
		if name == p.name {
			return true
		}
	}
	return false
}

func openSQLite(dsn string) (write, read *sql.DB, err error) {
	writeDSN, memory, err := sqliteDSN(dsn, false)
	if err != nil {
		return nil, nil, err
	}
	write, err = sql.Open(DriverSQLite, writeDSN)
	if err != nil {
		return nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	// SQLite has one writer at a time; queueing for the single connection in Go
	// is cheaper and fairer than SQLite's sleeping busy handler.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if memory {
		return write, write, nil
	}

	readDSN, _, err := sqliteDSN(dsn, true)
	if err != nil {
		_ = write.Close()
		return nil, nil, err
	}
	read, err = sql.Open(DriverSQLite, readDSN)
	if err != nil {
		_ = write.Close()
		return nil, nil, fmt.Errorf("open sqlite: %w", err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(5 * time.Minute)
	return write, read, nil
}

// mysqlConfig parses the caller's DSN and sets what the store relies on.
func mysqlConfig(dsn string) (*mysql.Config, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse mysql dsn: %w", err)
	}
	// Times are BIGINT milliseconds, so the driver never converts DATETIME.
	cfg.ParseTime = false
	// After a failover the old primary may turn read-only; drop such connections.
	cfg.RejectReadOnly = true
	// Rows affected counts rows matched, as on SQLite, so a conditional UPDATE
	// that rewrites the same values still reports its match.
	cfg.ClientFoundRows = true
	cfg.MultiStatements = false
	collation := cfg.Collation
	if !strings.HasPrefix(strings.ToLower(collation), "utf8mb4") {
		collation = ""
	}
	if err := cfg.Apply(mysql.Charset("utf8mb4", collation)); err != nil {
		return nil, fmt.Errorf("mysql charset: %w", err)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	return cfg, nil
}

func openMySQL(ctx context.Context, dsn string, log *slog.Logger) (*sql.DB, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.Logger = mysqlLogger{log: log}
	db, err := mysqlPool(cfg)
	if err != nil {
		return nil, err
	}
	// An unreachable server (an error here) shows in Open's Ping.
	if galera, probeErr := isGaleraNode(ctx, db); probeErr == nil && galera && withCausalReads(cfg) {
		_ = db.Close()
		return mysqlPool(cfg)
	}
	return db, nil
}

func mysqlPool(cfg *mysql.Config) (*sql.DB, error) {
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("mysql connector: %w", err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxLifetime(3 * time.Minute)
	db.SetConnMaxIdleTime(time.Minute)
	return db, nil
}

// isGaleraNode reports a server with Galera replication on. MySQL has no
// wsrep_on (the query fails) and a plain MariaDB server has it OFF.
func isGaleraNode(ctx context.Context, db *sql.DB) (bool, error) {
	var on sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT @@wsrep_on").Scan(&on); err != nil {
		var e *mysql.MySQLError
		if errors.As(err, &e) {
			return false, nil
		}
		return false, err
	}
	return on.String == "1" || strings.EqualFold(on.String, "ON"), nil
}

// causalReadsDefault is the wsrep_sync_wait a Galera connection gets unless the
// DSN sets its own. Bit 1 makes a read (and BEGIN) wait until this node has
// applied every write set committed anywhere before it, so a read right after
// another node's commit (a code issued there, redeemed here) sees it; bit 2
// does the same for UPDATE and DELETE, whose WHERE clauses decide every
// compare-and-swap. Inserts (bit 4) need no wait: a duplicate key loses in
// certification whichever node saw the other first.
const causalReadsDefault = "3"

// withCausalReads sets wsrep_sync_wait for every connection (the driver sends
// unknown DSN parameters as SET) unless the DSN chose a value; it reports
// whether it changed cfg.
func withCausalReads(cfg *mysql.Config) bool {
	if _, set := cfg.Params["wsrep_sync_wait"]; set {
		return false
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["wsrep_sync_wait"] = causalReadsDefault
	return true
}

// mysqlLogger sends the driver's own messages (dropped connections and the like)
// to the store's logger instead of the standard logger.
type mysqlLogger struct{ log *slog.Logger }

func (l mysqlLogger) Print(v ...any) {
	l.log.LogAttrs(context.Background(), slog.LevelWarn, "mysql driver", slog.String("message", fmt.Sprint(v...)))
}
