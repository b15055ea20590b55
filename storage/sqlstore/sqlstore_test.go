package sqlstore_test

import (
	"github.com/portvakt/portvakt/internal/testenv"

	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/conformance"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// tables are the tables a test clears between conformance subtests.
var tables = []string{
	"clients", "auth_requests", "tokens", "signing_keys", "secrets",
	"sessions", "leases", "rate_counters", "generations", "pushed_requests",
	"evidence", "evidence_keys",
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
		emptyTables(t, s)
		return s
	})
}

// TestMySQLClusterConformance runs the suite over three stores sharing one
// database, as three broker processes do, each counting in its own shard.
func TestMySQLClusterConformance(t *testing.T) {
	cfg := mysqlTestDatabase(t)
	openMigrated(t, cfg)
	conformance.RunClusterTests(t, func(t *testing.T) []storage.Storage {
		members := make([]storage.Storage, 3)
		for i := range members {
			member := cfg
			member.CounterShard = i + 1
			members[i] = openMigrated(t, member)
		}
		emptyTables(t, members[0].(*sqlstore.Store))
		return members
	})
}

// TestSQLiteClusterConformance: two stores on one file, as two processes.
func TestSQLiteClusterConformance(t *testing.T) {
	conformance.RunClusterTests(t, func(t *testing.T) []storage.Storage {
		cfg := sqliteConfig(t)
		return []storage.Storage{openMigrated(t, cfg), openMigrated(t, cfg)}
	})
}

func emptyTables(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	for _, table := range tables {
		if _, err := s.DB().ExecContext(t.Context(), "DELETE FROM "+table); err != nil {
			t.Fatalf("empty %s: %v", table, err)
		}
	}
}

func TestSQLiteAuditAndConsents(t *testing.T) {
	conformance.RunAuditTests(t, func(t *testing.T) storage.AuditLog { return openMigrated(t, sqliteConfig(t)) })
	conformance.RunConsentTests(t, func(t *testing.T) storage.Consents { return openMigrated(t, sqliteConfig(t)) })
	conformance.RunRoleTests(t, func(t *testing.T) storage.Roles { return openMigrated(t, sqliteConfig(t)) })
}

func TestMySQLAuditAndConsents(t *testing.T) {
	cfg := mysqlTestDatabase(t)
	openMigrated(t, cfg)
	fresh := func(t *testing.T) *sqlstore.Store {
		s := openMigrated(t, cfg)
		for _, stmt := range []string{"DELETE FROM audit_records", "DELETE FROM consent_events", "DELETE FROM consents", "DELETE FROM person_roles",
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
	conformance.RunRoleTests(t, func(t *testing.T) storage.Roles { return fresh(t) })
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

// TestMySQLRateCountersSharded: two stores of one database count in rows of
// their own, and each hit returns the sum over both.
func TestMySQLRateCountersSharded(t *testing.T) {
	cfg := mysqlTestDatabase(t)
	a, b := cfg, cfg
	a.CounterShard, b.CounterShard = 1, 2
	stores := []*sqlstore.Store{openMigrated(t, a), openMigrated(t, b)}
	window := time.Now().Truncate(time.Minute)
	for i, want := range []int64{1, 2, 3, 4, 5} {
		got, err := stores[i%2].Hit(t.Context(), "ip:192.0.2.1", window, window.Add(time.Hour))
		if err != nil {
			t.Fatalf("Hit: %v", err)
		}
		if got != want {
			t.Errorf("hit %d returned %d, want %d", i+1, got, want)
		}
	}
	rows, err := stores[0].DB().QueryContext(t.Context(), "SELECT shard, hits FROM rate_counters ORDER BY shard")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int]int64{}
	for rows.Next() {
		var shard int
		var hits int64
		if err := rows.Scan(&shard, &hits); err != nil {
			t.Fatal(err)
		}
		got[shard] = hits
	}
	if len(got) != 2 || got[1] != 3 || got[2] != 2 {
		t.Errorf("rows by shard = %v, want shard 1: 3 hits, shard 2: 2", got)
	}
}

// TestRevokeTokensByClientInBatches: revoking more tokens than one batch holds
// revokes them all, in several bounded statements.
func TestRevokeTokensByClientInBatches(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config func(t *testing.T) sqlstore.Config
	}{
		{"sqlite", func(t *testing.T) sqlstore.Config { return sqliteConfig(t) }},
		{"mysql", mysqlTestDatabase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openMigrated(t, tc.config(t))
			ctx := t.Context()
			const tokens = 2345
			expires := time.Now().Add(time.Hour).UnixMilli()
			tx, err := s.DB().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tokens {
				if _, err := tx.ExecContext(ctx, "INSERT INTO tokens (id, client_id, subject, created_at, expires_at) VALUES (?, 'rp', 'sub', 0, ?)",
					fmt.Sprintf("tok-%d", i), expires); err != nil {
					t.Fatal(errors.Join(err, tx.Rollback()))
				}
			}
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			n, err := s.RevokeTokensByClient(ctx, "rp", time.Now())
			if err != nil || n != tokens {
				t.Fatalf("RevokeTokensByClient = %d, %v; want %d", n, err, tokens)
			}
			var left int
			if err := s.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL").Scan(&left); err != nil || left != 0 {
				t.Errorf("%d tokens left unrevoked (%v)", left, err)
			}
		})
	}
}
