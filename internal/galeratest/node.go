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
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/internal/testenv"
)

// node is one mariadbd of the cluster and the process running it, if any.
type node struct {
	index  int
	dir    string
	daemon string
	ports  ports
	admin  *sql.DB

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	// output is every run's log, kept across restarts for a failing test to show.
	output  *testenv.SyncBuffer
	running bool
	frozen  bool
}

func (n *node) cnf() string     { return filepath.Join(n.dir, "my.cnf") }
func (n *node) dataDir() string { return filepath.Join(n.dir, "data") }

// dsn is the go-sql-driver DSN of database name on this node over TCP.
func (n *node) dsn(name string) string {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(n.ports.sql))
	cfg.DBName = name
	cfg.Timeout = 2 * time.Second
	cfg.ReadTimeout = 10 * time.Second
	cfg.WriteTimeout = 10 * time.Second
	return cfg.FormatDSN()
}

// start runs mariadbd with extra arguments; it does not wait for anything.
func (n *node) start(extra ...string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.running {
		return fmt.Errorf("node %d is running already", n.index)
	}
	fmt.Fprintf(n.output, "---- galeratest: start node %d %v\n", n.index, extra)
	cmd := exec.Command(n.daemon, append([]string{"--defaults-file=" + n.cnf()}, extra...)...)
	cmd.Stdout, cmd.Stderr = n.output, n.output
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start node %d: %w", n.index, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	n.cmd, n.exited, n.running, n.frozen = cmd, exited, true, false
	return nil
}

// signal sends sig and, for a stop or kill, waits until the process has gone.
func (n *node) signal(sig syscall.Signal, wait time.Duration) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.running {
		return nil
	}
	if n.frozen && sig != syscall.SIGKILL {
		// A stopped process would not act on SIGTERM.
		_ = n.cmd.Process.Signal(syscall.SIGCONT)
		n.frozen = false
	}
	if err := n.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal node %d: %w", n.index, err)
	}
	select {
	case <-n.exited:
	case <-time.After(wait):
		_ = n.cmd.Process.Kill()
		<-n.exited
		return fmt.Errorf("node %d did not exit within %s of %s and was killed", n.index, wait, sig)
	}
	n.running, n.frozen = false, false
	// Connections to the old process are dead; do not hand them out again.
	n.admin.SetMaxIdleConns(0)
	n.admin.SetMaxIdleConns(2)
	return nil
}

func (n *node) freeze(frozen bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.running {
		return fmt.Errorf("node %d is not running", n.index)
	}
	sig := syscall.SIGCONT
	if frozen {
		sig = syscall.SIGSTOP
	}
	if err := n.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signal node %d: %w", n.index, err)
	}
	n.frozen = frozen
	return nil
}

func (n *node) isRunning() (running bool, exited <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.running, n.exited
}

var recoveredPosition = regexp.MustCompile(`WSREP: Recovered position:\s*(\S+)`)

// recoverPosition runs mariadbd --wsrep-recover, which reads the last committed
// position from InnoDB and exits: after a kill -9 grastate.dat says seqno -1,
// and a node started without the position would take a full snapshot.
func (n *node) recoverPosition(ctx context.Context) (string, error) {
	log := filepath.Join(n.dir, "recover.log")
	_ = os.Remove(log)
	cmd := exec.CommandContext(ctx, n.daemon, "--defaults-file="+n.cnf(), "--wsrep-recover", "--log-error="+log)
	out, err := cmd.CombinedOutput()
	recovered, _ := os.ReadFile(log)
	fmt.Fprintf(n.output, "---- galeratest: recover node %d\n%s%s", n.index, out, recovered)
	if err != nil {
		return "", fmt.Errorf("node %d: mariadbd --wsrep-recover: %w", n.index, err)
	}
	m := recoveredPosition.FindSubmatch(append(out, recovered...))
	if m == nil {
		return "", fmt.Errorf("node %d: mariadbd --wsrep-recover printed no position", n.index)
	}
	return string(m[1]), nil
}

// status reads the node's wsrep status over SQL.
func (n *node) status(ctx context.Context) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	rows, err := n.admin.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN "+
		"('wsrep_local_state_comment', 'wsrep_cluster_status', 'wsrep_ready', 'wsrep_cluster_size')")
	if err != nil {
		return Status{}, fmt.Errorf("node %d status: %w", n.index, err)
	}
	defer rows.Close()
	var st Status
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return Status{}, fmt.Errorf("node %d status: %w", n.index, err)
		}
		switch name {
		case "wsrep_local_state_comment":
			st.State = value
		case "wsrep_cluster_status":
			st.ClusterStatus = value
		case "wsrep_ready":
			st.Ready = value == "ON"
		case "wsrep_cluster_size":
			st.ClusterSize, _ = strconv.Atoi(value)
		}
	}
	if err := rows.Err(); err != nil {
		return Status{}, fmt.Errorf("node %d status: %w", n.index, err)
	}
	return st, nil
}

// exec runs an administrative statement on the node.
func (n *node) exec(ctx context.Context, query string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := n.admin.ExecContext(ctx, query); err != nil {
		return fmt.Errorf("node %d: %s: %w", n.index, query, err)
	}
	return nil
}

var errExited = errors.New("the server exited")
