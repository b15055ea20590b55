package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/portvakt/portvakt/storage"
)

// mysqlErrUnknownSystemVariable is MySQL's answer to @@wsrep_on: no Galera.
const mysqlErrUnknownSystemVariable = 1193

// clusterReady checks, on a Galera node, that the node may serve: a node outside
// the Primary Component still answers a ping and SELECT 1, and one that is not
// Synced (joining, or a donor under rsync, which blocks writes) lags or stalls.
// A server without Galera, where wsrep_ready is OFF and the cluster
// "Disconnected" all the time, is ready once it answers.
func (s *Store) clusterReady(ctx context.Context) error {
	if s.dialect.name != DriverMySQL {
		return nil
	}
	var wsrepOn bool
	if err := s.write.QueryRowContext(ctx, "SELECT @@global.wsrep_on").Scan(&wsrepOn); err != nil {
		var e *mysql.MySQLError
		if errors.As(err, &e) && e.Number == mysqlErrUnknownSystemVariable {
			return nil
		}
		return s.fail("ping: wsrep_on", err)
	}
	if !wsrepOn {
		return nil
	}
	rows, err := s.write.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name IN "+
		"('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_cluster_status')")
	if err != nil {
		return s.fail("ping: wsrep status", err)
	}
	defer rows.Close()
	status := map[string]string{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return s.fail("ping: wsrep status", err)
		}
		status[name] = value
	}
	if err := rows.Err(); err != nil {
		return s.fail("ping: wsrep status", err)
	}
	if reason := galeraNotReady(status); reason != "" {
		return fmt.Errorf("ping: %w", &storage.NotReadyError{Reason: reason})
	}
	return nil
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
