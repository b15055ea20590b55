package browser

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// TestSwedishBankIDOtherDevice logs in with BankID on another device: the
// broker's chooser offers both BankID methods, the order page animates its QR
// code, and the person approves in the BankID app (the simulator's app page in a
// second tab, which lists the pending order). The first tab then lands on the
// demo app with the person's claims, on its own.
func TestSwedishBankIDOtherDevice(t *testing.T) {
	b := openTab(t)
	person := sesim.TestUsers()[1]
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.screenshot("01-demo")
	b.clickText("a", "BankID (Sweden)")
	b.waitForElement(`button[name="option"][value="se-bankid/same-device"]`)
	b.screenshot("02-chooser")
	b.click(`button[name="option"][value="se-bankid/other-device"]`)

	b.waitUntil("the order page shows a QR image", `document.readyState === 'complete' &&
		(document.getElementById('pv-qr') || {}).src?.startsWith('data:image/png;base64,') === true`)
	b.screenshot("03-qr")
	if seen := qrChanges(b, 2); len(seen) < 3 {
		t.Fatalf("the QR image changed %d times, want it animated", len(seen)-1)
	}
	b.screenshot("04-qr-animated")

	app := b.openSibling()
	app.navigate(env.Issuer + "/sim/se-bankid/")
	app.screenshot("05-app-pending")
	app.click(`a[href*="order?ref="]`)
	app.waitForPage("/sim/se-bankid/order", `form[action$="approve"]`)
	app.click(`input[name="personalNumber"][value="` + person.PersonalNumber + `"]`)
	app.screenshot("06-app-order")
	app.clickText("button", "Identify")
	app.waitForElement(".sim-done")
	app.screenshot("07-app-approved")

	b.waitForPage("/demo", ".demo-table")
	b.screenshot("08-claims")
	wantClaims(t, shownClaims(b), map[string]string{
		"name": person.Name(), "national_id": person.PersonalNumber, "country": "SE",
		"acr": "http://eidas.europa.eu/LoA/substantial", "idp": "se-bankid",
	})
}

// TestSwedishBankIDSameDevice logs in with BankID on this device: the order
// page's "Open BankID" link starts the app (in dev mode the simulator's app page,
// in the same tab), the person approves there, and the app returns to the
// broker, which finishes the login on the demo app in that same tab.
func TestSwedishBankIDSameDevice(t *testing.T) {
	b := openTab(t)
	person := sesim.TestUsers()[2]
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "BankID (Sweden)")
	b.waitForElement(`button[name="option"][value="se-bankid/same-device"]`)
	b.click(`button[name="option"][value="se-bankid/same-device"]`)

	b.waitForElement(`.pv-launch a`)
	b.screenshot("01-open-app")
	b.click(`.pv-launch a`)
	identifyInApp(b, person)

	b.waitForPage("/demo", ".demo-table")
	b.screenshot("03-claims")
	wantClaims(t, shownClaims(b), map[string]string{
		"name": person.Name(), "national_id": person.PersonalNumber, "country": "SE",
		"acr": "http://eidas.europa.eu/LoA/substantial", "idp": "se-bankid",
	})
}

// identifyInApp plays the person in the BankID app opened on this device (the
// simulator's order page in the same tab): they pick themselves and identify.
func identifyInApp(b *tab, person sesim.TestUser) {
	b.t.Helper()
	b.waitForPage("/sim/se-bankid/order", `form[action$="approve"]`)
	b.click(`input[name="personalNumber"][value="` + person.PersonalNumber + `"]`)
	b.screenshot("app-order")
	b.clickText("button", "Identify")
}

// qrChanges watches the order page's QR image until its src has changed the
// given number of times and returns every src seen, in order.
func qrChanges(b *tab, changes int) []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, waitTimeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var seen []string
	for {
		src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('pv-qr').src`))
		if err != nil {
			b.t.Fatalf("read the QR image: %v (at %s)", err, b.location())
		}
		if len(seen) == 0 || seen[len(seen)-1] != src {
			seen = append(seen, src)
		}
		if len(seen) > changes {
			return seen
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("the QR image changed %d times in %s, want %d", len(seen)-1, waitTimeout, changes)
		case <-tick.C:
		}
	}
}
