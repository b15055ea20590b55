package galeratest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testenv"
)

// The cluster's methods wait with context.Background and their own deadlines,
// not the test's context: a test's cleanup, which heals or restarts nodes for
// the next test, runs after that context is cancelled.

// Nodes is the cluster's size: three, the smallest that keeps a majority when
// one node goes.
const Nodes = 3

// Timeouts for waiting on the nodes' status. A joiner that needs a full rsync
// snapshot takes 15-20 s on a busy two-core host.
const (
	joinTimeout = 120 * time.Second
	stopTimeout = 60 * time.Second
	pollEvery   = 100 * time.Millisecond
)

// ErrMissing says the host lacks what a cluster needs (mariadbd, galera-4, rsync).
var ErrMissing = errors.New("galera is not installed")

// Cluster is three MariaDB Galera nodes on 127.0.0.1, root without a password
// over TCP. Nodes are numbered 0, 1 and 2. Methods that can fail take the test
// that asks, so a cluster can be shared by the tests of a package.
type Cluster struct {
	dir   string
	nodes [Nodes]*node
	// Started is how long Launch took, from the first install to three Synced nodes.
	Started time.Duration
}

// Status is what a node says of itself and its cluster.
type Status struct {
	// State is wsrep_local_state_comment: Synced, Donor/Desynced, Joining, Joined...
	State string
	// ClusterStatus is wsrep_cluster_status: Primary, non-Primary or Disconnected.
	ClusterStatus string
	// Ready is wsrep_ready: the node accepts queries.
	Ready       bool
	ClusterSize int
}

// Serving reports a node that takes reads and writes for its cluster.
func (s Status) Serving() bool {
	return s.Ready && s.State == "Synced" && s.ClusterStatus == "Primary"
}

func (s Status) String() string {
	return fmt.Sprintf("%s/%s ready=%t size=%d", s.State, s.ClusterStatus, s.Ready, s.ClusterSize)
}

// Start launches a cluster for one test and tears it down when the test ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	c, err := Launch(context.Background())
	if errors.Is(err, ErrMissing) {
		testenv.Missing(t, "%v", err)
		return nil
	}
	if err != nil {
		t.Fatalf("galera: %v", err)
	}
	t.Logf("galera: three nodes Synced in %s", c.Started.Round(100*time.Millisecond))
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(c.Output())
		}
		if err := c.Close(); err != nil {
			t.Errorf("galera: %v", err)
		}
	})
	return c
}

// Launch starts a cluster one node after another: node 0 bootstraps it, 1 and 2
// join by rsync snapshot, each once the one before is Synced. The caller must
// Close it. The error wraps ErrMissing when the host lacks the software.
func Launch(ctx context.Context) (_ *Cluster, err error) {
	begun := time.Now()
	daemon, installer, provider, err := software()
	if err != nil {
		return nil, err
	}
	// A short directory: each node's unix socket path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "galera-")
	if err != nil {
		return nil, fmt.Errorf("galera: %w", err)
	}
	c := &Cluster{dir: dir}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, c.Output())
			_ = c.Close()
		}
	}()
	if err := os.WriteFile(filepath.Join(dir, "init.sql"), []byte(
		"CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';\n"+
			"GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n"), 0o600); err != nil {
		return nil, fmt.Errorf("galera: %w", err)
	}
	for i := range c.nodes {
		if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("n%d", i), "data"), 0o700); err != nil {
			return nil, fmt.Errorf("galera: %w", err)
		}
	}
	runAs, err := serverUser(dir)
	if err != nil {
		return nil, err
	}
	var all []ports
	for range Nodes {
		all = append(all, ports{sql: freePort(), gcomm: freePort(), ist: freePort(), sst: freePort()})
	}
	for i := range c.nodes {
		n := &node{index: i, dir: filepath.Join(dir, fmt.Sprintf("n%d", i)), daemon: daemon, ports: all[i], output: &testenv.SyncBuffer{}}
		// Readable by the server, which runs as runAs; it holds no secret.
		if err := os.WriteFile(n.cnf(), []byte(myCnf(n.dir, i, all[i], all, provider, runAs)), 0o644); err != nil {
			return nil, fmt.Errorf("galera: %w", err)
		}
		if n.admin, err = sql.Open("mysql", n.dsn("")); err != nil {
			return nil, fmt.Errorf("galera: %w", err)
		}
		n.admin.SetMaxOpenConns(2)
		c.nodes[i] = n
	}
	first := c.nodes[0]
	if err := installDB(ctx, installer, first); err != nil {
		return nil, err
	}
	// root over TCP from 127.0.0.1 (skip-name-resolve: "localhost" covers the socket only).
	if err := c.bootstrap(ctx, first, "--wsrep-new-cluster", "--init-file="+filepath.Join(dir, "init.sql")); err != nil {
		return nil, err
	}
	for _, n := range c.nodes[1:] {
		if err := c.join(ctx, n); err != nil {
			return nil, err
		}
	}
	c.Started = time.Since(begun)
	return c, nil
}

// software finds mariadbd, mariadb-install-db and the Galera provider, and
// checks rsync is there for snapshot transfers.
func software() (daemon, installer, provider string, err error) {
	daemon = findBinary("mariadbd", "/usr/sbin/mariadbd")
	installer = findBinary("mariadb-install-db", "/usr/bin/mariadb-install-db")
	var missing []string
	if daemon == "" || installer == "" {
		missing = append(missing, "the MariaDB server (mariadbd, mariadb-install-db; Debian's mariadb-server)")
	}
	for _, p := range []string{"/usr/lib/galera/libgalera_smm.so", "/usr/lib/galera-4/libgalera_smm.so",
		"/usr/lib/x86_64-linux-gnu/galera/libgalera_smm.so"} {
		if _, statErr := os.Stat(p); statErr == nil {
			provider = p
			break
		}
	}
	if provider == "" {
		missing = append(missing, "the Galera provider (libgalera_smm.so; Debian's galera-4)")
	}
	if findBinary("rsync") == "" || findBinary("wsrep_sst_rsync") == "" {
		missing = append(missing, "rsync snapshot transfer (rsync; wsrep_sst_rsync from mariadb-server)")
	}
	if len(missing) > 0 {
		return "", "", "", fmt.Errorf("%w: missing %s", ErrMissing, strings.Join(missing, ", "))
	}
	return daemon, installer, provider, nil
}

// bootstrap starts n as a new cluster's first node and waits until it is Synced.
func (c *Cluster) bootstrap(ctx context.Context, n *node, extra ...string) error {
	if err := n.start(extra...); err != nil {
		return err
	}
	return c.awaitSynced(ctx, n, 1)
}

// join starts n into the running cluster and waits until it is Synced.
func (c *Cluster) join(ctx context.Context, n *node, extra ...string) error {
	if err := n.start(extra...); err != nil {
		return err
	}
	return c.awaitSynced(ctx, n, c.running())
}

func (c *Cluster) running() int {
	count := 0
	for _, n := range c.nodes {
		if r, _ := n.isRunning(); r {
			count++
		}
	}
	return count
}

// awaitSynced polls n's status until it serves in a cluster of at least size
// nodes, its process exits, or joinTimeout passes.
func (c *Cluster) awaitSynced(ctx context.Context, n *node, size int) error {
	ctx, cancel := context.WithTimeout(ctx, joinTimeout)
	defer cancel()
	var last Status
	var lastErr error
	for {
		st, err := n.status(ctx)
		if err == nil && st.Serving() && st.ClusterSize >= size {
			return nil
		}
		last, lastErr = st, err
		_, exited := n.isRunning()
		select {
		case <-exited:
			return fmt.Errorf("galera: node %d: %w while waiting to be Synced", n.index, errExited)
		case <-ctx.Done():
			if lastErr != nil {
				return fmt.Errorf("galera: node %d not Synced in a cluster of %d within %s: %w", n.index, size, joinTimeout, lastErr)
			}
			return fmt.Errorf("galera: node %d not Synced in a cluster of %d within %s: last %v", n.index, size, joinTimeout, last)
		case <-time.After(pollEvery):
		}
	}
}

// Output is every node's log, for a failing test to show (the last part of each).
func (c *Cluster) Output() string {
	const keep = 8000
	var b strings.Builder
	for _, n := range c.nodes {
		if n == nil {
			continue
		}
		out := n.output.String()
		if len(out) > keep {
			out = "…" + out[len(out)-keep:]
		}
		fmt.Fprintf(&b, "==== galera node %d ====\n%s\n", n.index, out)
	}
	return b.String()
}

// Close stops every node and removes the cluster's files.
func (c *Cluster) Close() error {
	var errs []error
	for _, n := range c.nodes {
		if n == nil {
			continue
		}
		errs = append(errs, n.signal(syscall.SIGKILL, stopTimeout))
		if n.admin != nil {
			errs = append(errs, n.admin.Close())
		}
	}
	errs = append(errs, os.RemoveAll(c.dir))
	return errors.Join(errs...)
}

// DSN is the go-sql-driver DSN of database db on node i, over TCP.
func (c *Cluster) DSN(i int, db string) string { return c.nodes[i].dsn(db) }

// CreateDatabase creates an empty database (on node 0; DDL replicates) and
// returns its DSN on each node.
func (c *Cluster) CreateDatabase(t testing.TB, name string) []string {
	t.Helper()
	n := c.serving(t)
	if err := n.exec(context.Background(), "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		t.Fatalf("galera: %v", err)
	}
	dsns := make([]string, Nodes)
	for i := range c.nodes {
		dsns[i] = c.DSN(i, name)
	}
	return dsns
}

// serving is a node that serves, for administrative statements.
func (c *Cluster) serving(t testing.TB) *node {
	t.Helper()
	for _, n := range c.nodes {
		if st, err := n.status(context.Background()); err == nil && st.Serving() {
			return n
		}
	}
	t.Fatalf("galera: no node serves\n%s", c.Output())
	return nil
}

// Status is node i's own view of itself and its cluster.
func (c *Cluster) Status(t testing.TB, i int) Status {
	t.Helper()
	st, err := c.nodes[i].status(context.Background())
	if err != nil {
		t.Fatalf("galera: %v", err)
	}
	return st
}

// WaitSynced waits until node i serves (Synced, Primary, ready) in a cluster of
// every running node.
func (c *Cluster) WaitSynced(t testing.TB, i int) {
	t.Helper()
	if err := c.awaitSynced(context.Background(), c.nodes[i], c.running()); err != nil {
		t.Fatalf("%v\n%s", err, c.Output())
	}
}

// WaitMembers waits until node i serves in a cluster of exactly size nodes: after
// a node is killed, frozen or isolated, the others stall their commits until they
// have evicted it (evs.suspect_timeout, 5 s).
func (c *Cluster) WaitMembers(t testing.TB, i, size int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	defer cancel()
	for {
		st, err := c.nodes[i].status(ctx)
		if err == nil && st.Serving() && st.ClusterSize == size {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("galera: node %d not serving in a cluster of %d within %s: %v, %v", i, size, joinTimeout, st, err)
		case <-time.After(pollEvery):
		}
	}
}

// WaitUnready waits until node i no longer serves, as after Isolate.
func (c *Cluster) WaitUnready(t testing.TB, i int) Status {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), joinTimeout)
	defer cancel()
	for {
		st, err := c.nodes[i].status(ctx)
		if err == nil && !st.Serving() {
			return st
		}
		select {
		case <-ctx.Done():
			t.Fatalf("galera: node %d still serves after %s: %v, %v", i, joinTimeout, st, err)
		case <-time.After(pollEvery):
		}
	}
}

// Kill ends node i with SIGKILL, as a crash does.
func (c *Cluster) Kill(t testing.TB, i int) {
	t.Helper()
	if err := c.nodes[i].signal(syscall.SIGKILL, stopTimeout); err != nil {
		t.Fatalf("galera: %v", err)
	}
}

// Rejoin starts a node that was killed or stopped: it recovers the node's last
// committed position first (after a kill grastate.dat has none, and a node
// started without it would take a full snapshot), so the node catches up by
// incremental transfer; then it waits until the node is Synced.
func (c *Cluster) Rejoin(t testing.TB, i int) time.Duration {
	t.Helper()
	begun := time.Now()
	n := c.nodes[i]
	pos, err := n.recoverPosition(context.Background())
	if err != nil {
		t.Fatalf("galera: %v\n%s", err, c.Output())
	}
	if err := c.join(context.Background(), n, "--wsrep-start-position="+pos); err != nil {
		t.Fatalf("%v\n%s", err, c.Output())
	}
	took := time.Since(begun)
	t.Logf("galera: node %d rejoined from %s in %s", i, pos, took.Round(100*time.Millisecond))
	return took
}

// Isolate cuts node i off from its peers (gmcast.isolate): it drops out of the
// Primary Component, and its SQL clients get errors 1047 and 1180.
func (c *Cluster) Isolate(t testing.TB, i int) {
	t.Helper()
	if err := c.nodes[i].exec(context.Background(), "SET GLOBAL wsrep_provider_options='gmcast.isolate=1'"); err != nil {
		t.Fatalf("galera: %v", err)
	}
}

// Heal reconnects an isolated node and waits until it is Synced again.
func (c *Cluster) Heal(t testing.TB, i int) time.Duration {
	t.Helper()
	begun := time.Now()
	if err := c.nodes[i].exec(context.Background(), "SET GLOBAL wsrep_provider_options='gmcast.isolate=0'"); err != nil {
		t.Fatalf("galera: %v", err)
	}
	c.WaitSynced(t, i)
	took := time.Since(begun)
	t.Logf("galera: node %d healed in %s", i, took.Round(100*time.Millisecond))
	return took
}

// Freeze stops node i's process (SIGSTOP): it neither answers nor leaves.
func (c *Cluster) Freeze(t testing.TB, i int) {
	t.Helper()
	if err := c.nodes[i].freeze(true); err != nil {
		t.Fatalf("galera: %v", err)
	}
}

// Thaw lets a frozen node run again (SIGCONT). It may claim Synced for a moment
// before it notices it fell behind; wait with WaitSynced after it had time to.
func (c *Cluster) Thaw(t testing.TB, i int) {
	t.Helper()
	if err := c.nodes[i].freeze(false); err != nil {
		t.Fatalf("galera: %v", err)
	}
}

// StopAll shuts every node down cleanly, one after another; the last to stop is
// the one Galera marks safe to bootstrap from.
func (c *Cluster) StopAll(t testing.TB) {
	t.Helper()
	for i := Nodes - 1; i >= 0; i-- {
		if err := c.nodes[i].signal(syscall.SIGTERM, stopTimeout); err != nil {
			t.Fatalf("galera: %v\n%s", err, c.Output())
		}
	}
}

// RestartAll starts a fully stopped cluster again, as an operator would: it
// bootstraps from the node whose grastate.dat says safe_to_bootstrap: 1 (any
// other would refuse), then starts the others one after another.
func (c *Cluster) RestartAll(t testing.TB) time.Duration {
	t.Helper()
	begun := time.Now()
	first := -1
	for i, n := range c.nodes {
		if running, _ := n.isRunning(); running {
			t.Fatalf("galera: RestartAll with node %d running; StopAll first", i)
		}
		g, err := readGrastate(n.dataDir())
		if err != nil {
			t.Fatalf("galera: node %d: %v", i, err)
		}
		if g.safeToBootstrap {
			first = i
		}
	}
	if first < 0 {
		t.Fatalf("galera: no node is safe to bootstrap from\n%s", c.Output())
	}
	if err := c.bootstrap(context.Background(), c.nodes[first], "--wsrep-new-cluster"); err != nil {
		t.Fatalf("%v\n%s", err, c.Output())
	}
	for i, n := range c.nodes {
		if i == first {
			continue
		}
		if err := c.join(context.Background(), n); err != nil {
			t.Fatalf("%v\n%s", err, c.Output())
		}
	}
	took := time.Since(begun)
	t.Logf("galera: full restart from node %d in %s", first, took.Round(100*time.Millisecond))
	return took
}

func findBinary(names ...string) string {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// freePort asks the kernel for a port nobody listens on. The node binds it a
// moment later; another process taking it in between makes the start fail loudly.
func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("galera: no free port: %v", err))
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// installDB initialises the first node's data directory. It runs a second time
// on an empty directory if the first run fails: the installer has been seen to
// fail once on a busy machine and then succeed. Both outputs are kept.
func installDB(ctx context.Context, installer string, n *node) error {
	var outputs []byte
	for attempt := 1; ; attempt++ {
		install := exec.CommandContext(ctx, installer, "--defaults-file="+n.cnf(), "--auth-root-authentication-method=normal",
			"--skip-test-db")
		out, err := install.CombinedOutput()
		if err == nil {
			return nil
		}
		outputs = append(outputs, out...)
		if attempt == 2 {
			return fmt.Errorf("galera: %s failed twice: %w\n%s", installer, err, outputs)
		}
		// Emptied, not recreated: the directory keeps the owner the server runs as.
		if rmErr := emptyDir(filepath.Join(n.dir, "data")); rmErr != nil {
			return fmt.Errorf("galera: %s failed: %w\n%s", installer, err, outputs)
		}
	}
}

func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
