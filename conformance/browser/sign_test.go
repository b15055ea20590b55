package browser

import (
	"strings"
	"testing"

	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// TestSignAgreementOtherDevice signs the demo's sample agreement with BankID
// on another device: the broker shows the agreement (rendered markdown) and
// the attached document's digest before any eID starts, the person signs in
// the BankID app (a second tab), and the demo lands on the verified evidence:
// a genuine XML signature and OCSP response, checked offline.
func TestSignAgreementOtherDevice(t *testing.T) {
	b := openTab(t)
	person := sesim.TestUsers()[1]
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Sign an agreement")
	wantAgreementShown(b)
	b.screenshot("01-preview")
	b.click(`button[name="option"][value="se-bankid/other-device"]`)
	b.waitUntil("the order page shows a QR image", `document.readyState === 'complete' &&
		(document.getElementById('pv-qr') || {}).src?.startsWith('data:image/png;base64,') === true`)
	b.screenshot("02-qr")

	app := b.openSibling()
	app.navigate(env.Issuer + "/sim/se-bankid/")
	app.click(`a[href*="order?ref="]`)
	signInApp(app, person)
	app.waitForElement(".sim-done")

	wantVerifiedEvidence(b, person)
	b.screenshot("03-evidence")
}

// TestSignAgreementSameDevice signs on this device: the order page's link
// opens the app in the same tab, the person signs, and the app returns to the
// broker, which finishes on the demo's verified evidence in that tab.
func TestSignAgreementSameDevice(t *testing.T) {
	b := openTab(t)
	person := sesim.TestUsers()[2]
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Sign an agreement")
	wantAgreementShown(b)
	b.click(`button[name="option"][value="se-bankid/same-device"]`)
	b.waitForElement(`.pv-launch a`)
	b.click(`.pv-launch a`)
	signInApp(b, person)

	wantVerifiedEvidence(b, person)
	b.screenshot("01-evidence")
}

// wantAgreementShown checks the broker's page shows what is to be signed
// before the eID starts: the agreement's heading and emphasis rendered, and
// the document with its digest.
func wantAgreementShown(b *tab) {
	b.t.Helper()
	b.waitForElement(`.pv-sign-text`)
	if got := evaluate[string](b, `document.querySelector('.pv-sign-text h2, .pv-sign-text h3')?.textContent ?? ''`); got != "Sample agreement" {
		b.t.Errorf("the agreement's heading shows as %q, want it rendered as a heading", got)
	}
	if got := evaluate[string](b, `document.querySelector('.pv-sign-text strong')?.textContent ?? ''`); got != "test terms" {
		b.t.Errorf("the agreement's bold text shows as %q", got)
	}
	if got := evaluate[string](b, `document.querySelector('.pv-sign-document')?.textContent ?? ''`); got != "Terms.pdf" {
		b.t.Errorf("the attached document shows as %q, want Terms.pdf", got)
	}
	if evaluate[bool](b, `document.querySelector('.pv-sign-text').textContent.includes('**')`) {
		b.t.Error("the agreement shows markdown marks rather than rendering them")
	}
}

// signInApp plays the person in the simulated BankID app's order page: they
// pick themselves and sign.
func signInApp(b *tab, person sesim.TestUser) {
	b.t.Helper()
	b.waitForPage("/sim/se-bankid/order", `form[action$="approve"]`)
	b.click(`input[name="personalNumber"][value="` + person.PersonalNumber + `"]`)
	b.screenshot("app-sign")
	b.clickText("button", "Sign")
}

// wantVerifiedEvidence waits for the demo's signature panel and checks it
// says the evidence verified offline, signed by the person, with BankID's
// native signature among the checks.
func wantVerifiedEvidence(b *tab, person sesim.TestUser) {
	b.t.Helper()
	b.waitForPage("/demo", `[data-evidence]`)
	if got := evaluate[string](b, `document.querySelector('[data-evidence]').dataset.evidence`); got != "verified" {
		b.t.Fatalf("the demo's evidence check: %q (%s)", got, evaluate[string](b, `document.querySelector('[data-evidence]').textContent`))
	}
	checks := evaluate[string](b, `Array.from(document.querySelectorAll('.demo-checks li'), li => li.textContent).join('\n')`)
	if !strings.Contains(checks, "BankID native signature") || !strings.Contains(checks, "signed content is the requested content") {
		b.t.Errorf("the checks passed are:\n%s", checks)
	}
	panel := evaluate[string](b, `document.querySelector('#demo-signed').parentElement.textContent`)
	if !strings.Contains(panel, person.Name()) || !strings.Contains(panel, "Sample agreement") {
		b.t.Errorf("the signature panel does not name %s or show the agreement:\n%s", person.Name(), panel)
	}
}
