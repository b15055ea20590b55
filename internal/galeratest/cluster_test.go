package galeratest_test

import (
	"context"
	"database/sql"
	"fmt"
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

	// A frozen node neither answers nor leaves at once: the others evict it
	// after a few seconds and commit without it; thawed, it catches up.
	c.Freeze(t, 1)
	eventually(t, "insert with node 1 frozen", func() error {
		_, err := dbs[0].ExecContext(ctx, "INSERT INTO t VALUES (4)")
		return err
	})
	c.Thaw(t, 1)
	eventually(t, "node 1 catching up after the thaw", func() error {
		var n int
		if err := dbs[1].QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
			return err
		}
		if n != 4 {
			return fmt.Errorf("%d rows, want 4", n)
		}
		return nil
	})
	c.WaitSynced(t, 1)

	c.StopAll(t)
	c.RestartAll(t)
	mustExec(2, "INSERT INTO t VALUES (5)")
	for i := range galeratest.Nodes {
		if st := c.Status(t, i); !st.Serving() || st.ClusterSize != galeratest.Nodes {
			t.Errorf("node %d after the restart: %v", i, st)
		}
		if got := count(i); got != 5 {
			t.Errorf("node %d has %d rows after the restart, want 5", i, got)
		}
	}
}

// eventually retries step until it succeeds or a minute passes: while the
// cluster evicts or readmits a node, statements fail or time out for seconds.
func eventually(t *testing.T, what string, step func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := step()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after a minute: %v", what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
