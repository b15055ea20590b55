package sqlstore_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/galeratest"
	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/storage/conformance"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// galeraCluster is the package's shared cluster; a test that breaks a node
// leaves it serving again before it ends.
func galeraCluster(t *testing.T) *galeratest.Cluster {
	t.Helper()
	galera.once.Do(func() {
		galera.cluster, galera.err = galeratest.Launch(t.Context())
		if galera.err == nil {
			t.Logf("galera: three nodes Synced in %s", galera.cluster.Started.Round(100*time.Millisecond))
		}
	})
	switch {
	case errors.Is(galera.err, galeratest.ErrMissing):
		testenv.Missing(t, "%v", galera.err)
	case galera.err != nil:
		t.Fatalf("galera: %v", galera.err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(galera.cluster.Output())
		}
	})
	return galera.cluster
}

// galeraDatabase creates a database of the test's own and returns its DSN on
// each node.
func galeraDatabase(t *testing.T) (*galeratest.Cluster, []string) {
	t.Helper()
	c := galeraCluster(t)
	return c, c.CreateDatabase(t, "portvakt_"+randid.Hex(6))
}

// The conformance suite on a Galera cluster with a store on every node: each
// call of a test goes to the next node, so a read follows another node's write,
// and racing writers race from different nodes.
func TestGaleraConformance(t *testing.T) {
	_, dsns := galeraDatabase(t)
	openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsns[0]})
	conformance.RunClusterTests(t, func(t *testing.T) []storage.Storage {
		members := make([]storage.Storage, galeratest.Nodes)
		for node := range members {
			members[node] = openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsns[node], CounterShard: node + 1})
		}
		emptyTables(t, members[0].(*sqlstore.Store))
		return members
	})
}

// The audit and consent suites on a Galera cluster, rotating nodes likewise.
func TestGaleraAuditAndConsents(t *testing.T) {
	_, dsns := galeraDatabase(t)
	openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsns[0]})
	var next atomic.Int64
	fresh := func(t *testing.T) *sqlstore.Store {
		node := int(next.Add(1)) % galeratest.Nodes
		s := openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsns[node]})
		for _, stmt := range []string{"DELETE FROM audit_records", "DELETE FROM consent_events", "DELETE FROM consents",
			"DELETE FROM audit_chain WHERE chain <> 0",
			"UPDATE audit_chain SET last_seq = 0, last_hash = '', anchor_seq = 0, anchor_hash = '', keyed_from = 0, mac = ''"} {
			if _, err := s.DB().ExecContext(t.Context(), stmt); err != nil {
				t.Fatalf("%s on node %d: %v", stmt, node, err)
			}
		}
		return s
	}
	conformance.RunAuditTests(t, func(t *testing.T) storage.AuditLog { return fresh(t) })
	conformance.RunConsentTests(t, func(t *testing.T) storage.Consents { return fresh(t) })
}

// A store whose node has left the Primary Component says it is not ready,
// though the node still answers SELECT 1; once the node is Synced again it is.
// It says so with causal reads on its connections too, under which even SHOW
// fails on such a node.
func TestGaleraIsolatedNodeIsNotReady(t *testing.T) {
	c, dsns := galeraDatabase(t)
	const isolated = 2
	stores := map[string]*sqlstore.Store{
		"plain":        openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsns[isolated]}),
		"causal reads": openMigrated(t, sqlstore.Config{Driver: sqlstore.DriverMySQL, DSN: dsns[isolated] + "&wsrep_sync_wait=3"}),
	}
	for name, s := range stores {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("%s: Ping on a Synced node: %v", name, err)
		}
	}

	c.Isolate(t, isolated)
	healed := false
	t.Cleanup(func() {
		if !healed {
			c.Heal(t, isolated)
		}
	})
	c.WaitUnready(t, isolated)
	for name, s := range stores {
		err := s.Ping(t.Context())
		var notReady *storage.NotReadyError
		if !errors.As(err, &notReady) || !errors.Is(err, storage.ErrUnavailable) {
			t.Errorf("%s: Ping on an isolated node: %v, want a NotReadyError that is ErrUnavailable", name, err)
			continue
		}
		if !strings.Contains(notReady.Reason, "Primary") {
			t.Errorf("%s: the reason %q does not say the node left the Primary Component", name, notReady.Reason)
		}
	}
	if err := stores["plain"].DB().PingContext(t.Context()); err != nil {
		t.Errorf("the isolated node does not answer a plain ping: %v", err)
	}

	c.Heal(t, isolated)
	healed = true
	for name, s := range stores {
		if err := s.Ping(t.Context()); err != nil {
			t.Errorf("%s: Ping once the node is Synced again: %v", name, err)
		}
	}
	var syncWait int
	if err := stores["causal reads"].DB().QueryRowContext(t.Context(), "SELECT @@session.wsrep_sync_wait").Scan(&syncWait); err != nil || syncWait != 3 {
		t.Errorf("after Pings, a connection has wsrep_sync_wait %d (%v), want the DSN's 3", syncWait, err)
	}
}

// A MariaDB server without Galera reports wsrep_ready OFF and its cluster
// Disconnected; a store on it is ready all the same.
func TestMySQLWithoutGaleraIsReady(t *testing.T) {
	s := openMigrated(t, mysqlTestDatabase(t))
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}
