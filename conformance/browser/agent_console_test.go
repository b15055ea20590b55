package browser

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/fakeciba"
	"github.com/portvakt/portvakt/internal/testid"
)

// TestAgentConsoleVerifiesACaller, on a phone and on a desktop: an agent signs
// in to /agent/ with a simulated eID (MitID approves as its first test person,
// whom dev mode gives the agent role), types a caller's number and sees it
// checked as typed, picks who called, a reason and a message, starts, and
// sees the caller verified: name, match, level, time. Clearing the screen
// leaves nothing of the caller on it; nothing scrolls sideways.
//
// The CIBA endpoint is a stand-in that follows the contract and approves at
// once; once the broker's own lands, drop AgentCIBAIssuer and approve in the
// BankID simulator's app page instead.
func TestAgentConsoleVerifiesACaller(t *testing.T) {
	caller := fakeciba.Person{NationalID: testid.Personnummer(time.Date(1990, 2, 14, 0, 0, 0, 0, time.UTC), 123), Country: "SE", Name: "Tove Testring"}
	for _, s := range screens() {
		t.Run(s.name, func(t *testing.T) {
			b := openTab(t)
			b.do("emulate a "+s.name, s.emulate)
			fake := fakeciba.Start(t, broker.AgentConsoleClientID, caller)
			fake.AutoApprove = true
			env := startDevWithAgentCIBA(t, fake.URL)

			b.navigate(env.Issuer + "/agent/?lang=en")
			b.click("#signin")
			b.waitForElement(`button[name="option"][value^="dk-mitid"]`)
			b.click(`button[name="option"][value^="dk-mitid"]`)
			b.waitForPage("/agent/", "#verify")
			wantNoSideways(b)

			wrong := caller.NationalID[:11] + string('0'+(caller.NationalID[11]-'0'+1)%10)
			b.do("type a wrong number", chromedp.SendKeys("#number", wrong))
			b.waitForElement("#number-check.bad")
			evaluate[bool](b, `(document.getElementById("number").value = "", true)`)
			b.do("type the right number", chromedp.SendKeys("#number", caller.NationalID))
			b.waitForElement("#number-check.ok")
			b.click(`input[name="call_initiator"][value="rp"]`)
			b.do("fill in the reason and message", chromedp.SendKeys("#reason", "Card blocked"), chromedp.SendKeys("#binding", "Anna at Acme Bank"))
			b.screenshot("agent-01-form-" + s.name)
			b.click("#start")
			b.waitForElement(`#result[data-state="approved"] #result-details`)
			b.screenshot("agent-02-verified-" + s.name)
			wantNoSideways(b)

			name := evaluate[string](b, `document.getElementById("result-name").textContent`)
			match := evaluate[string](b, `document.getElementById("result-match").textContent`)
			level := evaluate[string](b, `document.getElementById("result-level").textContent`)
			if name != caller.Name || !strings.HasPrefix(match, "Yes") || level != "Substantial" {
				t.Errorf("result: name %q, match %q, level %q", name, match, level)
			}
			if reqs := fake.Requests(); len(reqs) != 1 || reqs[0].CallInitiator != "rp" || reqs[0].Reason != "Card blocked" || reqs[0].LoginHint != "se-pnr:"+caller.NationalID {
				t.Errorf("CIBA requests %+v", reqs)
			}
			stored := evaluate[int](b, `localStorage.length + sessionStorage.length`)
			b.click("#clear")
			left := evaluate[string](b, `document.getElementById("number").value + document.getElementById("result-name").textContent + document.getElementById("reason").value`)
			if stored != 0 || left != "" || !evaluate[bool](b, `document.getElementById("result").hidden`) {
				t.Errorf("after clearing: browser storage %d, left on screen %q", stored, left)
			}
		})
	}
}

// startDevWithAgentCIBA is dev mode with approving simulators and the agent
// console's CIBA requests sent to the stand-in at cibaIssuer.
func startDevWithAgentCIBA(t *testing.T, cibaIssuer string) *devmode.Env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	env, err := devmode.Start(ctx, ln, devmode.Options{Data: t.TempDir(), AutoApprove: true, AgentCIBAIssuer: cibaIssuer, Logger: slog.New(slog.DiscardHandler)})
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

// wantNoSideways fails when the page is wider than the screen.
func wantNoSideways(b *tab) {
	b.t.Helper()
	if evaluate[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		b.t.Errorf("%s scrolls sideways", b.location())
	}
}
