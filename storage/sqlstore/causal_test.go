package sqlstore

import (
	"testing"

	"github.com/go-sql-driver/mysql"
)

func TestCausalReadsOnGalera(t *testing.T) {
	for _, tc := range []struct {
		name, dsn, want string
		changed         bool
	}{
		{"default", "u@tcp(node1:3306)/portvakt", causalReadsDefault, true},
		{"the DSN's own value wins", "u@tcp(node1:3306)/portvakt?wsrep_sync_wait=7", "7", false},
		{"even zero", "u@tcp(node1:3306)/portvakt?wsrep_sync_wait=0", "0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := mysql.ParseDSN(tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			if changed := withCausalReads(cfg); changed != tc.changed {
				t.Errorf("withCausalReads changed the config: %v, want %v", changed, tc.changed)
			}
			if got := cfg.Params["wsrep_sync_wait"]; got != tc.want {
				t.Errorf("wsrep_sync_wait = %q, want %q", got, tc.want)
			}
		})
	}
}

// On a server without Galera replication nothing changes.
func TestMySQLPlainServerKeepsSessionDefaults(t *testing.T) {
	s := openMySQLForTest(t)
	galera, err := isGaleraNode(t.Context(), s.write)
	if err != nil {
		t.Fatal(err)
	}
	if galera {
		t.Skip("the test server is a Galera node")
	}
	var syncWait int
	if err := s.write.QueryRowContext(t.Context(), "SELECT @@session.wsrep_sync_wait").Scan(&syncWait); err != nil {
		t.Skipf("no wsrep_sync_wait on this server (MySQL): %v", err)
	}
	if syncWait != 0 {
		t.Errorf("wsrep_sync_wait = %d on a plain server, want the default 0", syncWait)
	}
}
