package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered SQL file.
type migration struct {
	version    int64
	name       string
	statements []string
}

const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT NOT NULL PRIMARY KEY,
	applied_at BIGINT NOT NULL
)`

// Migrate applies the migrations the database lacks, in order, and records each
// in schema_migrations. It is idempotent, and safe when several processes run it
// at once: on MySQL they take turns through a named lock, on SQLite through the
// write lock of each migration's transaction.
func (s *Store) Migrate(ctx context.Context) error {
	migrations, err := loadMigrations(s.dialect.name)
	if err != nil {
		return err
	}
	switch s.dialect.name {
	case DriverMySQL:
		return s.migrateMySQL(ctx, migrations)
	default:
		return s.migrateSQLite(ctx, migrations)
	}
}

func loadMigrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		number, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.ParseInt(number, 10, 64)
		if !ok || err != nil || version <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: version, name: e.Name(), statements: splitStatements(string(body))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].name, out[i].name)
		}
	}
	return out, nil
}

// splitStatements cuts a migration into statements at semicolons that end a
// line, dropping "--" comment lines. Migrations keep semicolons out of strings.
func splitStatements(body string) []string {
	var stmts []string
	var cur strings.Builder
	for line := range strings.Lines(body) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			stmt := strings.TrimSuffix(strings.TrimSpace(cur.String()), ";")
			stmts = append(stmts, stmt)
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		stmts = append(stmts, rest)
	}
	return stmts
}

// migrateSQLite applies each migration in its own transaction. The transaction
// begins IMMEDIATE, so a second process waits for the first and then sees its
// version recorded.
func (s *Store) migrateSQLite(ctx context.Context, migrations []migration) error {
	for _, m := range migrations {
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, createSchemaMigrations); err != nil {
				return err
			}
			return s.applyIfMissing(ctx, tx, m)
		})
		if err != nil {
			return s.fail("migrate "+m.name, err)
		}
	}
	return nil
}

// migrateMySQL holds a named lock on one connection while it applies what is
// missing. MySQL commits each DDL statement on its own, so a migration is
// recorded after its statements ran; the statements are written to be re-runnable.
func (s *Store) migrateMySQL(ctx context.Context, migrations []migration) (err error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return s.fail("migrate", err)
	}
	defer func() {
		if closeErr := conn.Close(); closeErr != nil && err == nil {
			err = s.fail("migrate: release connection", closeErr)
		}
	}()

	const lockName = "LEFT(CONCAT('portvakt_migrate:', DATABASE()), 64)"
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lockName+", 120)").Scan(&got); err != nil {
		return s.fail("migrate: lock", err)
	}
	if got.Int64 != 1 {
		return fmt.Errorf("migrate: another process held the migration lock for two minutes")
	}
	defer func() {
		// A fresh context: the lock must go even if ctx was cancelled.
		if _, relErr := conn.ExecContext(context.WithoutCancel(ctx), "DO RELEASE_LOCK("+lockName+")"); relErr != nil && err == nil {
			err = s.fail("migrate: unlock", relErr)
		}
	}()

	if _, err := conn.ExecContext(ctx, createSchemaMigrations); err != nil {
		return s.fail("migrate: create schema_migrations", err)
	}
	for _, m := range migrations {
		if err := s.applyIfMissing(ctx, conn, m); err != nil {
			return s.fail("migrate "+m.name, err)
		}
	}
	return nil
}

// execer is what *sql.Tx and *sql.Conn have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) applyIfMissing(ctx context.Context, db execer, m migration) error {
	var applied int64
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&applied); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if applied > 0 {
		return nil
	}
	for i, stmt := range m.statements {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
		m.version, millis(s.now())); err != nil {
		return fmt.Errorf("record version: %w", err)
	}
	s.log.LogAttrs(ctx, slog.LevelInfo, "applied database migration",
		slog.String("dialect", s.dialect.name), slog.String("migration", m.name))
	return nil
}
