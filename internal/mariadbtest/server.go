package mariadbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/internal/testenv"
)

// startTimeout bounds how long the server may take to accept connections.
const startTimeout = 60 * time.Second

// Server is a private MariaDB server: root without a password on 127.0.0.1.
type Server struct {
	t       testing.TB
	daemon  string
	dir     string
	port    int
	options []string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	output  *testenv.SyncBuffer
	running bool
}

// Start initialises a data directory, starts the server and waits until it
// accepts connections. The server is stopped and its files removed when the test
// ends.
func Start(t testing.TB) *Server {
	t.Helper()
	daemon := findBinary("mariadbd", "/usr/sbin/mariadbd", "mysqld", "/usr/sbin/mysqld")
	installer := findBinary("mariadb-install-db", "/usr/bin/mariadb-install-db", "mysql_install_db")
	if daemon == "" || installer == "" {
		testenv.Missing(t, "the MariaDB server is not installed (mariadbd and mariadb-install-db; Debian's mariadb-server)")
		return nil
	}
	// A short directory: the server's unix socket path must fit in 108 bytes.
	dir, err := os.MkdirTemp("", "mariadb-")
	if err != nil {
		t.Fatalf("mariadb: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	s := &Server{t: t, daemon: daemon, dir: dir, port: freePort(t), options: serverOptions(dir)}

	install := exec.Command(installer, append([]string{"--no-defaults", "--auth-root-authentication-method=normal",
		"--skip-test-db", "--datadir=" + s.dataDir()}, s.options...)...)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("mariadb: %s failed: %v\n%s", installer, err, out)
	}
	t.Cleanup(s.Stop)
	s.Restart()
	return s
}

// serverOptions keep the private server small and quick; durability does not
// matter for a test's throwaway data.
func serverOptions(dir string) []string {
	opts := []string{
		"--skip-name-resolve", "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M",
		"--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--performance-schema=OFF",
		"--socket=" + filepath.Join(dir, "sock"), "--pid-file=" + filepath.Join(dir, "pid"),
	}
	if os.Geteuid() == 0 {
		// mariadbd refuses to run as root unless told to.
		opts = append(opts, "--user=root")
	}
	return opts
}

func (s *Server) dataDir() string { return filepath.Join(s.dir, "data") }

// DSN is the go-sql-driver DSN of database name on this server; CreateDatabase
// makes it.
func (s *Server) DSN(name string) string {
	cfg := mysql.NewConfig()
	cfg.User = "root"
	cfg.Net = "tcp"
	cfg.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	cfg.DBName = name
	return cfg.FormatDSN()
}

// CreateDatabase creates an empty database and returns its DSN.
func (s *Server) CreateDatabase(name string) string {
	s.t.Helper()
	db, err := sql.Open("mysql", s.DSN(""))
	if err != nil {
		s.t.Fatalf("mariadb: %v", err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			s.t.Errorf("mariadb: close: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		s.t.Fatalf("mariadb: create database %s: %v", name, err)
	}
	return s.DSN(name)
}

// Stop shuts the server down (SIGTERM) and waits for it to exit. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return
	}
	s.running = false
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(startTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		s.t.Errorf("mariadb: the server did not stop on SIGTERM and was killed\n%s", s.output.String())
	}
}

// Restart starts the server (again) on the same data directory and port and
// waits until it accepts connections.
func (s *Server) Restart() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return
	}
	s.output = &testenv.SyncBuffer{}
	cmd := exec.Command(s.daemon, append([]string{"--no-defaults", "--datadir=" + s.dataDir(),
		"--bind-address=127.0.0.1", "--port=" + strconv.Itoa(s.port)}, s.options...)...)
	cmd.Stdout, cmd.Stderr = s.output, s.output
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("mariadb: start %s: %v", s.daemon, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	s.cmd, s.exited, s.running = cmd, exited, true
	if err := s.awaitReady(); err != nil {
		s.running = false
		_ = cmd.Process.Kill()
		<-exited
		s.t.Fatalf("mariadb: %v\n%s", err, s.output.String())
	}
}

// awaitReady pings until the server answers, it exits, or startTimeout passes.
func (s *Server) awaitReady() (err error) {
	db, err := sql.Open("mysql", s.DSN(""))
	if err != nil {
		return err
	}
	defer func() {
		if closeErr := db.Close(); closeErr != nil && err == nil {
			err = closeErr
		}
	}()
	deadline := time.Now().Add(startTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			return errors.New("the server exited while starting")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not accept connections within %s: %w", startTimeout, err)
		}
	}
}

func findBinary(names ...string) string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// freePort asks the kernel for a port nobody listens on. The server binds it a
// moment later; another process taking it in between makes the start fail loudly.
func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mariadb: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
