package browser

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/broker"
	dksim "github.com/portvakt/portvakt/connectors/dkmitid/sim"
	bankidsim "github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/devmode"
)

// TestAgentConsoleVerifiesACaller, on a phone and on a desktop: an agent signs
// in to /agent/ with a simulated eID (approving in the MitID simulator as its
// first test person, whom dev mode gives the agent role), types a caller's
// number and sees it checked as typed, picks who called, a reason and a
// message, and starts. The caller approves in the BankID simulator's app (a
// second tab: their phone), which shows who phoned whom and the message; the
// console shows the caller verified: name, match, level, time. The audit
// trail holds the verification with the agent, the reason and the message.
// Clearing the screen leaves nothing of the caller on it; nothing scrolls
// sideways.
func TestAgentConsoleVerifiesACaller(t *testing.T) {
	caller := bankidsim.TestUsers()[1]
	for _, s := range screens() {
		t.Run(s.name, func(t *testing.T) {
			b := openTab(t)
			b.do("emulate a "+s.name, s.emulate)
			env := startDev(t)
			agent := dksim.TestUsers()[0]

			b.navigate(env.Issuer + "/agent/?lang=en")
			b.click("#signin")
			b.waitForElement(`button[name="option"][value^="dk-mitid"]`)
			b.click(`button[name="option"][value^="dk-mitid"]`)
			b.waitForPage("/sim/dk-mitid/authorize", `form[action$="/authorize/decide"]`)
			b.click(`input[name="user"][value="` + agent.NationalID + `"]`)
			b.click(`button[name="action"][value="approve"]`)
			b.waitForPage("/agent/", "#verify")
			wantNoSideways(b)

			pnr := caller.PersonalNumber
			wrong := pnr[:11] + string('0'+(pnr[11]-'0'+1)%10)
			b.do("type a wrong number", chromedp.SendKeys("#number", wrong))
			b.waitForElement("#number-check.bad")
			evaluate[bool](b, `(document.getElementById("number").value = "", true)`)
			b.do("type the right number", chromedp.SendKeys("#number", pnr))
			b.waitForElement("#number-check.ok")
			b.click(`input[name="call_initiator"][value="rp"]`)
			b.do("fill in the reason and message", chromedp.SendKeys("#reason", "Card blocked"), chromedp.SendKeys("#binding", "Anna at Acme Bank"))
			b.screenshot("agent-01-form-" + s.name)
			b.click("#start")

			phone := b.openSibling()
			phone.navigate(env.Issuer + "/sim/se-bankid/?lang=en")
			phone.click(`a.sim-order[href*="order?ref="]`)
			phone.waitForPage("/sim/se-bankid/order", `form[action$="approve"]`)
			shown := evaluate[string](phone, `document.body.innerText`)
			if !strings.Contains(shown, "Anna at Acme Bank") || evaluate[string](phone, `document.querySelector('[data-call-initiator]').dataset.callInitiator`) == "" {
				t.Errorf("the BankID app does not show the binding message and who phoned: %.300s", shown)
			}
			phone.click(`input[name="personalNumber"][value="` + pnr + `"]`)
			phone.screenshot("agent-02-caller-app-" + s.name)
			phone.clickText("button", "Identify")
			phone.waitForElement(".sim-done")

			b.waitForElement(`#result[data-state="approved"] #result-details`)
			b.screenshot("agent-03-verified-" + s.name)
			wantNoSideways(b)

			name := evaluate[string](b, `document.getElementById("result-name").textContent`)
			match := evaluate[string](b, `document.getElementById("result-match").textContent`)
			level := evaluate[string](b, `document.getElementById("result-level").textContent`)
			if name != caller.Name() || !strings.HasPrefix(match, "Yes") || level != "Substantial" {
				t.Errorf("result: name %q, match %q, level %q", name, match, level)
			}
			wantVerificationOnRecord(t, env, pnr)

			stored := evaluate[int](b, `localStorage.length + sessionStorage.length`)
			b.click("#clear")
			left := evaluate[string](b, `document.getElementById("number").value + document.getElementById("result-name").textContent + document.getElementById("reason").value`)
			if stored != 0 || left != "" || !evaluate[bool](b, `document.getElementById("result").hidden`) {
				t.Errorf("after clearing: browser storage %d, left on screen %q", stored, left)
			}
		})
	}
}

// wantVerificationOnRecord finds the console's verification of the caller in
// the audit trail: by the agent console, with the agent, reason and message.
func wantVerificationOnRecord(t *testing.T, env *devmode.Env, pnr string) {
	t.Helper()
	trail := env.Broker.Admin.Audit
	entries, err := trail.List(context.Background(), audit.Query{ClientID: broker.AgentConsoleClientID, NationalID: pnr})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		var details map[string]string
		_ = json.Unmarshal(e.Details, &details)
		if e.Kind == audit.KindVerification && e.Outcome == "success" && strings.HasPrefix(e.Actor, "agent:portvakt:") &&
			details["reason"] == "Card blocked" && details["binding_message"] == "Anna at Acme Bank" && details["call_initiator"] == "rp" {
			return
		}
	}
	t.Errorf("no verification of the caller by the console's agent on record: %+v", entries)
}

// wantNoSideways fails when the page is wider than the screen.
func wantNoSideways(b *tab) {
	b.t.Helper()
	if evaluate[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`) {
		b.t.Errorf("%s scrolls sideways", b.location())
	}
}
