package galeratest_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/internal/galeratest"
	"github.com/portvakt/portvakt/internal/testenv"
)

// One cluster goes through a crash, a partition and a full restart; a row
// written before each is on every node after it.
func TestClusterFaultsKeepData(t *testing.T) {
	c := galeratest.Start(t)
	dsns := c.CreateDatabase(t, "kept")
	dbs := make([]*sql.DB, len(dsns))
	for i, dsn := range dsns {
		db, err := sql.Open("mysql", dsn+"&wsrep_sync_wait=1")
		if err != nil {
			t.Fatal(err)
		}
		testenv.CloseAtEnd(t, db)
		dbs[i] = db
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	mustExec := func(node int, query string, args ...any) {
		t.Helper()
		if _, err := dbs[node].ExecContext(ctx, query, args...); err != nil {
			t.Fatalf("node %d: %s: %v", node, query, err)
		}
	}
	count := func(node int) int {
		t.Helper()
		var n int
		if err := dbs[node].QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			t.Fatalf("node %d: count: %v", node, err)
		}
		return n
	}
	mustExec(0, "CREATE TABLE t (id INT PRIMARY KEY)")
	t.Run("the nodes require primary keys", func(t *testing.T) {
		if _, err := dbs[1].ExecContext(ctx, "CREATE TABLE nopk (v INT)"); err == nil {
			t.Error("a table without a primary key was created")
		}
	})
	mustExec(0, "INSERT INTO t VALUES (1)")
	for i := range galeratest.Nodes {
		if got := count(i); got != 1 {
			t.Fatalf("node %d has %d rows, want 1", i, got)
		}
	}

	c.Kill(t, 2)
	mustExec(1, "INSERT INTO t VALUES (2)")
	c.Rejoin(t, 2)
	if got := count(2); got != 2 {
		t.Errorf("after a rejoin node 2 has %d rows, want 2", got)
	}

	c.Isolate(t, 1)
	st := c.WaitUnready(t, 1)
	if st.ClusterStatus == "Primary" && st.Ready {
		t.Errorf("an isolated node says %v", st)
	}
	mustExec(0, "INSERT INTO t VALUES (3)")
	c.Heal(t, 1)
	if got := count(1); got != 3 {
		t.Errorf("after healing node 1 has %d rows, want 3", got)
	}

	c.StopAll(t)
	c.RestartAll(t)
	mustExec(2, "INSERT INTO t VALUES (4)")
	for i := range galeratest.Nodes {
		if st := c.Status(t, i); !st.Serving() || st.ClusterSize != galeratest.Nodes {
			t.Errorf("node %d after the restart: %v", i, st)
		}
		if got := count(i); got != 4 {
			t.Errorf("node %d has %d rows after the restart, want 4", i, got)
		}
	}
}
