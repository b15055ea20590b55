package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/storage"
)

// mysqlErrUnknownSystemVariable is MySQL's answer to wsrep_sync_wait: no Galera.
const mysqlErrUnknownSystemVariable = 1193

// clusterReady checks, on a Galera node, that the node may serve: a node outside
// the Primary Component still answers a ping and SELECT 1, and one that is not
// Synced (joining, or a donor under rsync, which blocks writes) lags or stalls.
// A server without Galera, where wsrep_ready is OFF and the cluster
// "Disconnected" all the time, is ready once it answers.
func (s *Store) clusterReady(ctx context.Context) (err error) {
	if s.dialect.name != DriverMySQL {
		return nil
	}
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return s.fail("ping", err)
	}
	defer func() {
		if closeErr := conn.Close(); closeErr != nil && err == nil {
			err = s.fail("ping", closeErr)
		}
	}()
	// Causal reads (wsrep_sync_wait, which the connections may carry) make even
	// SHOW wait for the cluster, and fail on a node cut off from it; the status
	// must be read without waiting, and the connection handed back as it was.
	if _, err := conn.ExecContext(ctx, "SET @portvakt_sync_wait = @@session.wsrep_sync_wait, SESSION wsrep_sync_wait = 0"); err != nil {
		var e *mysql.MySQLError
		if errors.As(err, &e) && e.Number == mysqlErrUnknownSystemVariable {
			return nil // MySQL without Galera
		}
		return s.fail("ping: wsrep_sync_wait", err)
	}
	defer func() {
		if _, restoreErr := conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION wsrep_sync_wait = @portvakt_sync_wait"); restoreErr != nil {
			// A connection left without causal reads must not serve again.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = s.fail("ping: restore wsrep_sync_wait", restoreErr)
			}
		}
	}()
	var wsrepOn bool
	if err := conn.QueryRowContext(ctx, "SELECT @@global.wsrep_on").Scan(&wsrepOn); err != nil {
		return s.fail("ping: wsrep_on", err)
	}
	if !wsrepOn {
		return nil
	}
	status, err := wsrepStatus(ctx, conn)
	if err != nil {
		return s.fail("ping: wsrep status", err)
	}
	if reason := galeraNotReady(status); reason != "" {
		return fmt.Errorf("ping: %w", &storage.NotReadyError{Reason: reason})
	}
	return nil
}

// wsrepStatus reads the node's own view of its state and its cluster's.
func wsrepStatus(ctx context.Context, conn *sql.Conn) (map[string]string, error) {
	rows, err := conn.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN "+
		"('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_cluster_status')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	status := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, err
		}
		status[name] = value
	}
	return status, rows.Err()
}

// galeraNotReady names why a node with this status must not serve, or is "".
// The cluster's state comes first: a node cut off from the majority may still
// call itself Synced for a moment.
func galeraNotReady(status map[string]string) string {
	switch {
	case status["wsrep_cluster_status"] != "Primary":
		return fmt.Sprintf("Galera node outside the Primary Component (cluster status %q)", status["wsrep_cluster_status"])
	case status["wsrep_local_state_comment"] != "Synced":
		return fmt.Sprintf("Galera node not Synced (state %q)", status["wsrep_local_state_comment"])
	case status["wsrep_ready"] != "ON":
		return "Galera node not ready (wsrep_ready OFF)"
	}
	return ""
}
