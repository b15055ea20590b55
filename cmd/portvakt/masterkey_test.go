package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/keys"
)

// TestWrongMasterKeyNamesItsSource starts a database under one master key and
// opens it with another: the error names the variable the key came from and says
// the database was sealed with another key.
func TestWrongMasterKeyNamesItsSource(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "portvakt.yaml")
	conf := "issuer: http://127.0.0.1:8080\nmaster_key: ${PORTVAKT_MASTER_KEY}\n" +
		"storage: {driver: sqlite, dsn: " + filepath.Join(dir, "portvakt.db") + "}\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	for i, wantOK := range []bool{true, false} {
		k, err := keys.GenerateMasterKey()
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("PORTVAKT_MASTER_KEY", k)
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"keys", "list", "--config", path}, &stdout, &stderr)
		if (code == 0) != wantOK {
			t.Fatalf("start %d: exit %d; stderr %s", i, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"keys", "list", "--config", path}, &stdout, &stderr)
	for _, want := range []string{"environment variable PORTVAKT_MASTER_KEY (master_key in " + path + ")", "sealed with another master key"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
}
