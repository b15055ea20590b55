package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// TestBankIDStatusTellsTheTruth follows the status line of BankID on this device:
// before the person opens the app it asks them to, not "Trying to start your
// BankID app"; and once they approve in the app, the browser goes on to the app
// without showing the order page (and its stale status) again.
func TestBankIDStatusTellsTheTruth(t *testing.T) {
	b := openTab(t)
	person := sesim.TestUsers()[2]
	env := startDev(t)

	startBankID(b, env, "same-device")
	b.waitForElement(`.pv-launch a`)
	// Long enough for order.js to poll a few times.
	b.waitUntil("the page has polled", `document.querySelector('[data-pv-order]').hasAttribute('data-live')`)
	b.screenshot("01-before-open")
	before := evaluate[string](b, `document.getElementById('pv-status-message').textContent.trim()`)
	if strings.Contains(before, "Trying to start") || !strings.Contains(before, "Open BankID") {
		t.Errorf("before the app is opened the status says %q, want it to ask the person to open BankID", before)
	}

	b.click(`.pv-launch a`)
	identifyInApp(b, person)

	if shown := orderPageShownUntil(b, "/demo"); shown != "" {
		t.Errorf("after the approval the order page showed again, saying %q", shown)
	}
	b.waitForPage("/demo", ".demo-table")
	b.screenshot("02-claims")
}

// orderPageShownUntil watches the tab until it reaches path and returns what
// the order page's status line said if the order page showed on the way.
func orderPageShownUntil(b *tab, path string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		// Errors while the page navigates just mean "look again".
		now, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`({
			path: location.pathname,
			status: ((document.getElementById('pv-status-message') || {}).textContent || '').trim(),
		})`))
		if now["status"] != "" {
			return now["status"]
		}
		if now["path"] == path {
			return ""
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("waiting for %s: %v (at %s)", path, ctx.Err(), b.location())
		case <-tick.C:
		}
	}
}
