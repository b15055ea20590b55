package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeWithAnInvalidConfigListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "portvakt.yaml")
	bad := "issuer: http://login.example.com\nstorage: {driver: oracle}\nclients:\n  - id: x\n    redirect_uris: [http://x.example/cb]\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"serve", "--config", path}, &stdout, &stderr)
	if code == 0 {
		t.Fatal("serve with an invalid config exited 0")
	}
	for _, want := range []string{"issuer:", "master_key", "storage.driver", "storage.dsn", "redirect_uris"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not mention %q:\n%s", want, stderr.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &stdout, &stderr); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if code := run(context.Background(), nil, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "portvakt dev") {
		t.Errorf("usage: exit %d, %q", code, stdout.String())
	}
}

func TestMasterKeyCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"keys", "master-key"}, &stdout, &stderr); code != 0 || len(strings.TrimSpace(stdout.String())) < 40 {
		t.Errorf("exit %d, key %q, stderr %s", code, stdout.String(), stderr.String())
	}
}
