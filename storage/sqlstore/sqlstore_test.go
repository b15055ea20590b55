package sqlstore_test

import (
	"github.com/portvakt/portvakt/internal/testenv"

	"errors"
	"path/filepath"
	"testing"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/conformance"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// tables are the tables a test clears between conformance subtests.
var tables = []string{
	"clients", "auth_requests", "tokens", "signing_keys", "secrets",
	"sessions", "leases", "rate_counters", "generations",
}

func openMigrated(t testing.TB, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func sqliteConfig(t testing.TB) sqlstore.Config {
	return sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: filepath.Join(t.TempDir(), "portvakt.db")}
}

func TestSQLiteConformance(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) storage.Storage {
		return openMigrated(t, sqliteConfig(t))
	})
}

func TestSQLiteInMemoryConformance(t *testing.T) {
	conformance.RunTests(t, func(t *testing.T) storage.Storage {
		return openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverSQLite, DSN: ":memory:"})
	})
}

func TestMySQLConformance(t *testing.T) {
	cfg := mysqlTestDatabase(t)
	// Migrate once; each subtest starts from emptied tables.
	openMigrated(t, cfg)
	conformance.RunTests(t, func(t *testing.T) storage.Storage {
		s := openMigrated(t, cfg)
		for _, table := range tables {
			if _, err := s.DB().ExecContext(t.Context(), "DELETE FROM "+table); err != nil {
				t.Fatalf("empty %s: %v", table, err)
			}
		}
		return s
	})
}

func TestSQLiteAuditAndConsents(t *testing.T) {
	conformance.RunAuditTests(t, func(t *testing.T) storage.AuditLog { return openMigrated(t, sqliteConfig(t)) })
	conformance.RunConsentTests(t, func(t *testing.T) storage.Consents { return openMigrated(t, sqliteConfig(t)) })
}

func TestMySQLAuditAndConsents(t *testing.T) {
	cfg := mysqlTestDatabase(t)
	openMigrated(t, cfg)
	fresh := func(t *testing.T) *sqlstore.Store {
		s := openMigrated(t, cfg)
		for _, stmt := range []string{"DELETE FROM audit_records", "DELETE FROM consent_events", "DELETE FROM consents",
			"DELETE FROM audit_chain WHERE chain <> 0",
			"UPDATE audit_chain SET last_seq = 0, last_hash = '', anchor_seq = 0, anchor_hash = '', keyed_from = 0, mac = ''"} {
			if _, err := s.DB().ExecContext(t.Context(), stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		return s
	}
	conformance.RunAuditTests(t, func(t *testing.T) storage.AuditLog { return fresh(t) })
	conformance.RunConsentTests(t, func(t *testing.T) storage.Consents { return fresh(t) })
}

// mysqlTestDatabase gives the test a fresh database of its own.
func mysqlTestDatabase(t *testing.T) sqlstore.Config {
	t.Helper()
	return sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: testenv.MySQLDatabase(t)}
}

func TestMySQLUnreachableIsUnavailable(t *testing.T) {
	// Port 1 on loopback refuses connections.
	_, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: "root@tcp(127.0.0.1:1)/portvakt?timeout=2s"})
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Open of an unreachable server: error %v, want ErrUnavailable", err)
	}
}

func TestOpenRejectsUnknownDriver(t *testing.T) {
	if _, err := sqlstore.Open(t.Context(), sqlstore.Config{Driver: "postgres", DSN: "x"}); err == nil {
		t.Fatal("Open with an unknown driver succeeded")
	}
}

// TestSQLitePragmas checks a bare file path ends up with the settings the
// store relies on.
func TestSQLitePragmas(t *testing.T) {
	s := openMigrated(t, sqliteConfig(t))
	if s.Dialect() != sqlstore.DriverSQLite {
		t.Errorf("Dialect = %q", s.Dialect())
	}
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "1", // NORMAL
	} {
		var got string
		if err := s.DB().QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
}
