package sqlstore_test

import (
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

// testMigrateConcurrent runs Migrate from two stores (two processes' worth of
// pools) on one empty database at the same time.
func testMigrateConcurrent(t *testing.T, cfg sqlstore.Config) {
	stores := make([]*sqlstore.Store, 2)
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
