package browser

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// startDev runs dev mode in the test process on a free loopback port, with the
// simulators waiting for a person to approve in their pages.
func startDev(t *testing.T) *devmode.Env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := devmode.Start(ctx, ln, devmode.Options{Data: t.TempDir(), AutoApprove: false, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		cancel()
		t.Fatalf("start dev mode: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := env.Wait(); err != nil {
			t.Errorf("dev mode: %v", err)
		}
	})
	return env
}

// shownClaims reads the claims table of the demo page after a login.
func shownClaims(b *tab) map[string]string {
	b.t.Helper()
	return evaluate[map[string]string](b, `Object.fromEntries(Array.from(
		document.querySelectorAll('.demo-table tbody tr'),
		row => [row.querySelector('th').textContent.trim(), row.querySelector('td').textContent.trim()]))`)
}

// wantClaims checks the demo page shows the verified identity.
func wantClaims(t *testing.T, got map[string]string, want map[string]string) {
	t.Helper()
	for name, value := range want {
		if got[name] != value {
			t.Errorf("the demo page shows %s = %q, want %q", name, got[name], value)
		}
	}
	if t.Failed() {
		t.Logf("all claims shown: %v", got)
	}
}
