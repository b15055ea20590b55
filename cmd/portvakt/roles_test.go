package main

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testid"
)

// TestRolesCommands: grant, list and revoke a console role by national id; the
// database and the listing hold only the keyed hash and the masked number, and
// both changes are in the audit trail, found by the person's national id.
func TestRolesCommands(t *testing.T) {
	cfg, db := cliConfig(t)
	agent := testid.Personnummer(time.Date(1981, 4, 2, 0, 0, 0, 0, time.UTC), 123)
	dashed := agent[2:8] + "-" + agent[8:]
	if out := runCLI(t, 0, "roles", "grant", "--config", cfg, "--role", "agent", "--national-id", dashed); !strings.Contains(out, "agent granted to **********"+agent[10:]) {
		t.Errorf("grant said %q", out)
	}
	var listed []map[string]any
	if err := json.Unmarshal([]byte(runCLI(t, 0, "roles", "list", "--config", cfg, "--role", "agent")), &listed); err != nil || len(listed) != 1 {
		t.Fatalf("list: %v %v", listed, err)
	}
	if out := runCLI(t, 0, "roles", "revoke", "--config", cfg, "--role", "agent", "--national-id", agent); !strings.Contains(out, "revoked") {
		t.Errorf("revoke said %q", out)
	}
	if out := runCLI(t, 0, "roles", "list", "--config", cfg); strings.TrimSpace(out) != "[]" && strings.TrimSpace(out) != "null" {
		t.Errorf("after revoke: %s", out)
	}
	runCLI(t, 1, "roles", "grant", "--config", cfg, "--role", "root", "--national-id", agent)
	runCLI(t, 1, "roles", "grant", "--config", cfg, "--role", "agent", "--national-id", agent[:11]+string('0'+(agent[11]-'0'+1)%10))
	export := runCLI(t, 0, "audit", "export", "--config", cfg, "--national-id", agent)
	if !strings.Contains(export, `"action":"role.grant"`) || !strings.Contains(export, `"action":"role.revoke"`) {
		t.Errorf("the person's audit records lack the role changes:\n%s", export)
	}
	if strings.Contains(export, agent) || strings.Contains(export, dashed) {
		t.Error("the export holds the national id in clear")
	}
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	var n int
	if err := conn.QueryRow("SELECT COUNT(*) FROM audit_records WHERE details LIKE ? OR national_id_masked LIKE ?", "%"+agent+"%", "%"+agent+"%").Scan(&n); err != nil || n != 0 {
		t.Errorf("records with the national id in clear: %d, %v", n, err)
	}
}
