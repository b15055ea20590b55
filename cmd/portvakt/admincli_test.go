package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
)

// cliConfig writes a configuration with a SQLite database and returns its path
// and the database file.
func cliConfig(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	master, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "portvakt.db")
	cfg := fmt.Sprintf("issuer: http://127.0.0.1:8080\nmaster_key: %s\nstorage: {driver: sqlite, dsn: %s}\naudit: {retention: 2160h}\n", master, db)
	path := filepath.Join(dir, "portvakt.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, db
}

func runCLI(t *testing.T, wantCode int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != wantCode {
		t.Fatalf("portvakt %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, wantCode, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func TestClientsCommandsAndAuditVerify(t *testing.T) {
	cfg, db := cliConfig(t)
	doc := filepath.Join(t.TempDir(), "client.json")
	write := func(countries string) {
		body := `{"id": "shop", "name": "Shop", "redirect_uris": ["https://shop.example/cb"], "countries": [` + countries + `]}`
		if err := os.WriteFile(doc, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(`"SE", "DK"`)
	out := runCLI(t, 0, "clients", "create", "--config", cfg, "--file", doc)
	if !strings.Contains(out, "client secret (shown once): ") {
		t.Fatalf("create did not show the secret:\n%s", out)
	}
	write(`"SE"`)
	runCLI(t, 0, "clients", "update", "shop", "--config", cfg, "--file", doc)
	var shown struct {
		Countries []string `json:"countries"`
		ReadOnly  bool     `json:"read_only"`
	}
	if err := json.Unmarshal([]byte(runCLI(t, 0, "clients", "get", "shop", "--config", cfg)), &shown); err != nil {
		t.Fatal(err)
	}
	if strings.Join(shown.Countries, ",") != "SE" || shown.ReadOnly {
		t.Errorf("after update: %+v", shown)
	}
	if out := runCLI(t, 0, "clients", "list", "--config", cfg); !strings.Contains(out, "shop") {
		t.Errorf("list:\n%s", out)
	}
	runCLI(t, 0, "clients", "rotate-secret", "shop", "--config", cfg)
	runCLI(t, 0, "clients", "disable", "shop", "--config", cfg)
	runCLI(t, 0, "consents", "withdraw", "--config", cfg, "--client", "shop", "--sub", "abc")

	export := runCLI(t, 0, "audit", "export", "--config", cfg, "--client", "shop")
	var actions []string
	for _, line := range strings.Split(strings.TrimSpace(export), "\n") {
		var e struct{ Actor, Action string }
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		if !strings.HasPrefix(e.Actor, "cli:") {
			t.Errorf("actor %q, want cli:<user>", e.Actor)
		}
		actions = append(actions, e.Action)
	}
	if want := "client.create,client.update,client.rotate_secret,client.disable,consent.withdraw"; strings.Join(actions, ",") != want {
		t.Errorf("audited %v, want %s", actions, want)
	}
	if out := runCLI(t, 0, "audit", "verify", "--config", cfg); !strings.Contains(out, "ok: 5 records") {
		t.Errorf("verify:\n%s", out)
	}

	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, conn)
	var id string
	if err := conn.QueryRow("SELECT id FROM audit_records WHERE seq = 3").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("UPDATE audit_records SET actor = 'cli:someone-else' WHERE seq = 3"); err != nil {
		t.Fatal(err)
	}
	out = runCLI(t, 1, "audit", "verify", "--config", cfg)
	if !strings.Contains(out, "record 3 (id "+id+")") || !strings.Contains(out, "altered") {
		t.Errorf("verify of an altered trail does not name record 3 (%s):\n%s", id, out)
	}
	if out := runCLI(t, 0, "audit", "purge", "--config", cfg); !strings.Contains(out, "purged 0") {
		t.Errorf("purge:\n%s", out)
	}
}

// `audit checkpoint` prints a signed head; `audit verify --checkpoint` finds a
// tail cut off after it, and refuses a checkpoint that was edited.
func TestAuditCheckpointFindsATruncatedTail(t *testing.T) {
	cfg, db := cliConfig(t)
	doc := filepath.Join(t.TempDir(), "client.json")
	body := `{"id": "shop", "name": "Shop", "redirect_uris": ["https://shop.example/cb"], "countries": ["SE"]}`
	if err := os.WriteFile(doc, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	runCLI(t, 0, "clients", "create", "--config", cfg, "--file", doc)
	runCLI(t, 0, "clients", "disable", "shop", "--config", cfg)
	checkpoint := runCLI(t, 0, "audit", "checkpoint", "--config", cfg)
	var c struct {
		Heads []struct {
			Chain int64 `json:"chain"`
			Seq   int64 `json:"seq"`
		} `json:"heads"`
		MAC string `json:"mac"`
	}
	// Chain 0 (empty here) and the chain the commands appended to.
	if err := json.Unmarshal([]byte(checkpoint), &c); err != nil || len(c.Heads) != 2 || c.Heads[1].Chain != 1 || c.Heads[1].Seq != 2 || c.MAC == "" {
		t.Fatalf("checkpoint %q: %v; want chain 1's head at record 2 with a mac", checkpoint, err)
	}
	file := filepath.Join(t.TempDir(), "checkpoint.json")
	if err := os.WriteFile(file, []byte(checkpoint), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runCLI(t, 0, "audit", "verify", "--config", cfg, "--checkpoint", file); !strings.Contains(out, "reaches the checkpoint of") {
		t.Errorf("verify against the checkpoint:\n%s", out)
	}

	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, conn)
	if _, err := conn.Exec("DELETE FROM audit_records WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec("UPDATE audit_chain SET last_seq = 1, last_hash = (SELECT hash FROM audit_records WHERE chain = 1 AND seq = 1) WHERE chain = 1"); err != nil {
		t.Fatal(err)
	}
	if out := runCLI(t, 1, "audit", "verify", "--config", cfg, "--checkpoint", file); !strings.Contains(out, "BROKEN") {
		t.Errorf("verify of a truncated trail:\n%s", out)
	}
	forged := strings.Replace(checkpoint, `"seq":2`, `"seq":1`, 1)
	if err := os.WriteFile(file, []byte(forged), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runCLI(t, 1, "audit", "verify", "--config", cfg, "--checkpoint", file); !strings.Contains(out, "checkpoint does not verify") {
		t.Errorf("verify against an edited checkpoint:\n%s", out)
	}
}
