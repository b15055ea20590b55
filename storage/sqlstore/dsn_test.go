package sqlstore

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestSQLiteDSN(t *testing.T) {
	for _, tc := range []struct {
		name       string
		dsn        string
		readOnly   bool
		wantBase   string
		wantPragma []string
		wantTxLock string
		wantMemory bool
	}{
		{
			name:       "bare path gets every pragma",
			dsn:        "/var/lib/portvakt/portvakt.db",
			wantBase:   "/var/lib/portvakt/portvakt.db",
			wantPragma: []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"},
			wantTxLock: "immediate",
		},
		{
			name:       "caller's pragmas and txlock win",
			dsn:        "file:data.db?_pragma=busy_timeout(500)&_pragma=journal_mode(DELETE)&_txlock=exclusive&_sync=FULL",
			wantBase:   "file:data.db",
			wantPragma: []string{"busy_timeout(500)", "journal_mode(DELETE)", "foreign_keys(1)"},
			wantTxLock: "exclusive",
		},
		{
			name:       "pragma written with =",
			dsn:        "data.db?_pragma=foreign_keys%3D0",
			wantBase:   "data.db",
			wantPragma: []string{"foreign_keys=0", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)"},
			wantTxLock: "immediate",
		},
		{
			name:       "memory has no WAL",
			dsn:        ":memory:",
			wantBase:   ":memory:",
			wantPragma: []string{"busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"},
			wantTxLock: "immediate",
			wantMemory: true,
		},
		{
			name:       "read pool is query only",
			dsn:        "data.db",
			readOnly:   true,
			wantBase:   "data.db",
			wantPragma: []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"},
			wantTxLock: "immediate",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, memory, err := sqliteDSN(tc.dsn, tc.readOnly)
			if err != nil {
				t.Fatalf("sqliteDSN: %v", err)
			}
			base, rawQuery, _ := strings.Cut(got, "?")
			q, err := url.ParseQuery(rawQuery)
			if err != nil {
				t.Fatalf("query of %q: %v", got, err)
			}
			if base != tc.wantBase {
				t.Errorf("base = %q, want %q", base, tc.wantBase)
			}
			pragmas := slices.Sorted(slices.Values(q["_pragma"]))
			want := slices.Sorted(slices.Values(tc.wantPragma))
			if !slices.Equal(pragmas, want) {
				t.Errorf("pragmas = %q, want %q", pragmas, want)
			}
			if q.Get("_txlock") != tc.wantTxLock {
				t.Errorf("_txlock = %q, want %q", q.Get("_txlock"), tc.wantTxLock)
			}
			if (q.Get("_query_only") == "1") != tc.readOnly {
				t.Errorf("_query_only = %q, readOnly %v", q.Get("_query_only"), tc.readOnly)
			}
			if memory != tc.wantMemory {
				t.Errorf("memory = %v, want %v", memory, tc.wantMemory)
			}
		})
	}
	if _, _, err := sqliteDSN("  ", false); err == nil {
		t.Error("empty DSN accepted")
	}
}

func TestMySQLConfig(t *testing.T) {
	cfg, err := mysqlConfig("portvakt:pw@tcp(db.internal:3306)/portvakt?parseTime=true&collation=latin1_swedish_ci")
	if err != nil {
		t.Fatalf("mysqlConfig: %v", err)
	}
	if cfg.ParseTime || !cfg.RejectReadOnly || !cfg.ClientFoundRows || cfg.MultiStatements {
		t.Errorf("flags: ParseTime %v RejectReadOnly %v ClientFoundRows %v MultiStatements %v",
			cfg.ParseTime, cfg.RejectReadOnly, cfg.ClientFoundRows, cfg.MultiStatements)
	}
	if cfg.DBName != "portvakt" || cfg.Addr != "db.internal:3306" || cfg.User != "portvakt" {
		t.Errorf("connection = %s@%s/%s", cfg.User, cfg.Addr, cfg.DBName)
	}
	dsn := cfg.FormatDSN()
	if !strings.Contains(dsn, "charset=utf8mb4") || strings.Contains(dsn, "latin1") {
		t.Errorf("formatted DSN %q: want charset utf8mb4 and no latin1 collation", dsn)
	}
	if cfg.Timeout == 0 || cfg.ReadTimeout == 0 || cfg.WriteTimeout == 0 {
		t.Errorf("timeouts unset: %v %v %v", cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout)
	}
	if _, err := mysqlConfig("not a dsn"); err == nil {
		t.Error("bad DSN accepted")
	}
}
