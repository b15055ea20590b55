package sqlstore

import (
	"context"
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
// at once, on one server or on several nodes of a Galera cluster, with no lock:
// on SQLite each migration runs in a transaction that takes the write lock; on
// MySQL every statement is written to be re-run (see migrateMySQL).
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
		ran := false
		err := s.withTx(ctx, func(tx *txn) error {
			ran = false
			if _, err := tx.ExecContext(ctx, createSchemaMigrations); err != nil {
				return err
			}
			var applied int64
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&applied); err != nil {
				return fmt.Errorf("read schema_migrations: %w", err)
			}
			if applied > 0 {
				return nil
			}
			for i, stmt := range m.statements {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("statement %d: %w", i+1, err)
				}
			}
			ran = true
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.version, millis(s.now()))
			return err
		})
		if err != nil {
			return s.fail("migrate "+m.name, err)
		}
		if ran {
			s.logApplied(ctx, m)
		}
	}
	return nil
}

// migrateMySQL applies what is missing without any lock: named locks and table
// locks hold nothing across Galera nodes. MySQL commits each DDL statement on
// its own, so instead every statement may run twice, or from several processes
// at once: CREATE ... IF NOT EXISTS; a change another process made first
// (table exists, duplicate column or key, nothing to drop, a renamed column
// gone) counts as done; data
// statements are written so a second run changes nothing; and each migration is
// recorded with INSERT IGNORE after its statements ran.
func (s *Store) migrateMySQL(ctx context.Context, migrations []migration) error {
	if err := s.execDDL(ctx, createSchemaMigrations); err != nil {
		return s.fail("migrate: create schema_migrations", err)
	}
	for _, m := range migrations {
		var applied int64
		if err := s.write.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&applied); err != nil {
			return s.fail("migrate "+m.name+": read schema_migrations", err)
		}
		if applied > 0 {
			continue
		}
		for i, stmt := range m.statements {
			if err := s.execDDL(ctx, stmt); err != nil {
				return s.fail(fmt.Sprintf("migrate %s: statement %d", m.name, i+1), err)
			}
		}
		if _, err := s.exec(ctx, "INSERT IGNORE INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			m.version, millis(s.now())); err != nil {
			return s.fail("migrate "+m.name+": record version", err)
		}
		s.logApplied(ctx, m)
	}
	return nil
}

// execDDL runs one migration statement, again after a conflict (DDL replicated
// in total order aborts open transactions on the rows it touches, and may be
// aborted itself), and takes "already there" for done.
func (s *Store) execDDL(ctx context.Context, stmt string) error {
	for attempt := 1; ; attempt++ {
		_, err := s.execOnConn(ctx, stmt)
		if err == nil || s.dialect.isSchemaDone(stmt, err) {
			return nil
		}
		if done, err := s.retryOrStop(ctx, attempt, s.dialect.fault(err, false), err); done {
			return err
		}
	}
}

func (s *Store) logApplied(ctx context.Context, m migration) {
	s.log.LogAttrs(ctx, slog.LevelInfo, "applied database migration",
		slog.String("dialect", s.dialect.name), slog.String("migration", m.name))
}
