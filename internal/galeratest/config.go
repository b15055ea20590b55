package galeratest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
)

// ports are one node's listeners: SQL, group communication, incremental and
// snapshot state transfer.
type ports struct {
	sql, gcomm, ist, sst int
}

// myCnf is a node's whole configuration, read with --defaults-file so the
// host's own my.cnf (its server on 3306) stays out.
func myCnf(dir string, index int, own ports, all []ports, provider, user string) string {
	peers := make([]string, len(all))
	for i, p := range all {
		peers[i] = fmt.Sprintf("127.0.0.1:%d", p.gcomm)
	}
	lines := []string{
		"[mysqld]",
		"datadir=" + filepath.Join(dir, "data"),
		"socket=" + filepath.Join(dir, "sock"),
		"pid-file=" + filepath.Join(dir, "pid"),
		fmt.Sprintf("port=%d", own.sql),
		"bind-address=127.0.0.1",
		"skip-name-resolve",
		// What the broker requires of a Galera node.
		"binlog_format=ROW",
		"default_storage_engine=InnoDB",
		"innodb_autoinc_lock_mode=2",
		"wsrep_mode=REQUIRED_PRIMARY_KEY,STRICT_REPLICATION",
		// Small and quick; durability does not matter for a test's throwaway data.
		"innodb_buffer_pool_size=32M",
		"innodb_log_file_size=8M",
		"innodb_flush_log_at_trx_commit=0",
		"innodb_doublewrite=0",
		"performance_schema=OFF",
		"wsrep_on=ON",
		"wsrep_provider=" + provider,
		"wsrep_cluster_name=portvakt-test",
		"wsrep_cluster_address=gcomm://" + strings.Join(peers, ","),
		fmt.Sprintf("wsrep_node_name=node%d", index),
		"wsrep_node_address=127.0.0.1",
		// ist.recv_addr defaults to the gcomm port + 1, which is another node's here.
		fmt.Sprintf(`wsrep_provider_options="base_port=%d;gmcast.listen_addr=tcp://127.0.0.1:%d;ist.recv_addr=127.0.0.1:%d;gcache.size=32M"`,
			own.gcomm, own.gcomm, own.ist),
		"wsrep_sst_method=rsync",
		fmt.Sprintf("wsrep_sst_receive_address=127.0.0.1:%d", own.sst),
	}
	if user != "" {
		lines = append(lines, "user="+user)
	}
	return strings.Join(lines, "\n") + "\n"
}

// grastate is what a stopped node's grastate.dat says about it.
type grastate struct {
	seqno           string
	safeToBootstrap bool
}

func readGrastate(dataDir string) (grastate, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "grastate.dat"))
	if err != nil {
		return grastate{}, err
	}
	var g grastate
	for _, line := range strings.Split(string(b), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(key) {
		case "seqno":
			g.seqno = strings.TrimSpace(value)
		case "safe_to_bootstrap":
			g.safeToBootstrap = strings.TrimSpace(value) == "1"
		}
	}
	return g, nil
}

// serverUser is the account the nodes run as. As root, mariadbd must be told
// one; root itself will not do, since the rsync daemon of a snapshot transfer
// started by root drops to nobody and cannot write the data directory. So the
// nodes run as mysql, and own their files.
func serverUser(dir string) (string, error) {
	if os.Geteuid() != 0 {
		return "", nil
	}
	u, err := user.Lookup("mysql")
	if err != nil {
		return "", fmt.Errorf("galera: running as root needs the mysql user to run the nodes as: %w", err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return "", fmt.Errorf("galera: mysql uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return "", fmt.Errorf("galera: mysql gid %q: %w", u.Gid, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return "", fmt.Errorf("galera: %w", err)
	}
	err = fs.WalkDir(root.FS(), ".", func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return root.Lchown(path, uid, gid)
	})
	if err := errors.Join(err, root.Close()); err != nil {
		return "", fmt.Errorf("galera: hand the cluster's files to mysql: %w", err)
	}
	return u.Username, nil
}
