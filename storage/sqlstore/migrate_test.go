package sqlstore_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/portvakt/portvakt/storage/sqlstore"
)

func TestMigrate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config func(t *testing.T) sqlstore.Config
	}{
		{"sqlite", func(t *testing.T) sqlstore.Config { return sqliteConfig(t) }},
		{"mysql", mysqlTestDatabase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.config(t)
			t.Run("Twice", func(t *testing.T) { testMigrateTwice(t, cfg) })
			t.Run("Concurrent", func(t *testing.T) { testMigrateConcurrent(t, tc.config(t)) })
			t.Run("ErasesClearTokenClaims", func(t *testing.T) { testMigrateErasesClearTokenClaims(t, tc.config(t)) })
		})
	}
}

func testMigrateTwice(t *testing.T, cfg sqlstore.Config) {
	s := openMigrated(t, cfg)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	assertMigratedOnce(t, s)
}

// testMigrateConcurrent runs Migrate from three stores (three processes' worth
// of pools, as three brokers starting on three nodes) on one empty database at
// the same time.
func testMigrateConcurrent(t *testing.T, cfg sqlstore.Config) {
	stores := make([]*sqlstore.Store, 3)
	for i := range stores {
		s, err := sqlstore.Open(t.Context(), cfg)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = s.Close() })
		stores[i] = s
	}
	errs := make([]error, len(stores))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			<-start
			errs[i] = s.Migrate(t.Context())
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate %d: %v", i, err)
		}
	}
	assertMigratedOnce(t, stores[0])
	if cfg.Driver == sqlstore.DriverMySQL {
		// The same schema as one process migrating alone.
		alone := openMigrated(t, mysqlTestDatabase(t))
		if got, want := mysqlSchema(t, stores[0]), mysqlSchema(t, alone); got != want {
			t.Errorf("schema migrated by three at once:\n%s\nwant, as migrated alone:\n%s", got, want)
		}
	}
	// The schema works.
	if _, err := stores[1].Generation(t.Context(), "clients"); err != nil {
		t.Errorf("Generation after migrating: %v", err)
	}
}

func assertMigratedOnce(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	var rows, distinct int
	if err := s.DB().QueryRowContext(t.Context(),
		"SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if rows == 0 || rows != distinct {
		t.Errorf("schema_migrations has %d rows for %d versions, want each version once", rows, distinct)
	}
}

// mysqlSchema is every table's CREATE TABLE statement, in name order.
func mysqlSchema(t *testing.T, s *sqlstore.Store) string {
	t.Helper()
	ctx := t.Context()
	rows, err := s.DB().QueryContext(ctx,
		"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name")
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	var schema strings.Builder
	for _, name := range names {
		var table, create string
		if err := s.DB().QueryRowContext(ctx, "SHOW CREATE TABLE "+name).Scan(&table, &create); err != nil {
			t.Fatalf("show create table %s: %v", name, err)
		}
		schema.WriteString(create + ";\n")
	}
	return schema.String()
}
