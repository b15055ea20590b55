package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
)

// `portvakt serve` keeps /metrics off the login listener and serves it on
// metrics.listen.
func TestServeMetricsOnTheirOwnListener(t *testing.T) {
	dir := t.TempDir()
	master, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	mainAddr, metricsAddr := testenv.FreeAddr(t), testenv.FreeAddr(t)
	cfg := fmt.Sprintf("issuer: http://%s\nlisten: %q\nmaster_key: %q\nstorage: {driver: sqlite, dsn: %q}\nmetrics: {listen: %q}\nlog: {level: error}\n",
		mainAddr, mainAddr, master, filepath.Join(dir, "portvakt.db"), metricsAddr)
	path := filepath.Join(dir, "portvakt.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	exited, code := make(chan struct{}), 0
	go func() {
		code = run(ctx, []string{"serve", "--config", path}, io.Discard, io.Discard)
		close(exited)
	}()
	t.Cleanup(func() { cancel(); <-exited })

	get := func(url string) (int, string) {
		resp, err := http.Get(url)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The broker is up once it answers /healthz; the metrics listener opened before it.
	deadline := time.Now().Add(30 * time.Second)
	for status, _ := get("http://" + mainAddr + "/healthz"); status != http.StatusOK; status, _ = get("http://" + mainAddr + "/healthz") {
		select {
		case <-exited:
			t.Fatalf("serve exited %d", code)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not start")
		}
	}
	if status, _ := get("http://" + mainAddr + "/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics on the login listener: status %d, want 404", status)
	}
	if status, body := get("http://" + metricsAddr + "/metrics"); status != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics on metrics.listen: status %d", status)
	}
}
