package browser

import (
	"testing"

	frejasim "github.com/portvakt/portvakt/connectors/freja/sim"
)

// frejaPerson is the Freja simulator's test person of a country.
func frejaPerson(t *testing.T, country string) frejasim.TestUser {
	t.Helper()
	for _, u := range frejasim.TestUsers() {
		if u.Country == country {
			return u
		}
	}
	t.Fatalf("no Freja test person of %s", country)
	return frejasim.TestUser{}
}

// TestFrejaQROnAnotherDevice logs in with Freja eID by its QR code: the login
// page offers Freja under each of its four countries, the order page animates
// the dynamic QR code, and a Norwegian person confirms in the Freja app (the
// simulator's page in a second tab). The first tab lands on the demo app with
// a Norwegian identity at the level Freja's registration reaches.
func TestFrejaQROnAnotherDevice(t *testing.T) {
	b := openTab(t)
	person := frejaPerson(t, "NO")
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Freja eID")
	b.waitForElement(`button[name="option"][value="freja/other-device"]`)
	b.screenshot("01-chooser")
	groups := evaluate[[]string](b, `Array.from(document.querySelectorAll('button[name="option"][value="freja/other-device"]'),
		o => o.closest('section').querySelector('h2').id)`)
	if len(groups) != 4 {
		t.Errorf("Freja is offered in the groups %v, want one per country (SE, NO, DK, FI)", groups)
	}
	b.click(`button[name="option"][value="freja/other-device"]`)

	b.waitUntil("the order page shows a QR image", `document.readyState === 'complete' &&
		(document.getElementById('pv-qr') || {}).src?.startsWith('data:image/png;base64,') === true`)
	b.screenshot("02-qr")
	if seen := qrChanges(b, 1); len(seen) < 2 {
		t.Fatalf("the QR image changed %d times, want it dynamic", len(seen)-1)
	}

	app := b.openSibling()
	app.navigate(env.Issuer + "/sim/freja/")
	app.screenshot("03-app-pending")
	app.click(`a[href*="tx?ref="]`)
	app.waitForPage("/sim/freja/tx", `form[action$="approve"]`)
	app.click(`input[name="ssn"][value="` + person.SSN + `"]`)
	app.screenshot("04-app-transaction")
	app.clickText("button", "Confirm")
	app.waitForElement(".sim-done")
	app.screenshot("05-app-confirmed")

	b.waitForPage("/demo", ".demo-table")
	b.screenshot("06-claims")
	wantClaims(t, shownClaims(b), map[string]string{
		"name": person.Name(), "national_id": person.SSN, "country": "NO",
		"acr": "http://eidas.europa.eu/LoA/low", "idp": "freja",
	})
}

// TestFrejaAppSwitchOnPhone logs in with Freja eID on a phone: the login page
// puts "on this device" first, the order page's button opens the app (in dev
// mode the simulator's page, in the same tab, drawn for the phone), the person
// confirms there, and the app returns to the broker, which finishes on the
// demo app in that same tab.
func TestFrejaAppSwitchOnPhone(t *testing.T) {
	b := openTab(t)
	phone := screens()[0]
	b.do("emulate a "+phone.name, phone.emulate)
	person := frejaPerson(t, "SE")
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Freja eID")
	b.waitForElement(`button[name="option"][value="freja/same-device"]`)
	b.screenshot("01-chooser")
	if first := evaluate[string](b, `document.querySelector('button[name="option"][value^="freja/"]').value`); first != "freja/same-device" {
		t.Errorf("the first Freja option on a phone is %s, want freja/same-device", first)
	}
	b.click(`button[name="option"][value="freja/same-device"]`)

	b.waitForElement(`.pv-launch a`)
	b.screenshot("02-open-app")
	wantNoSidewaysScroll(b)
	b.click(`.pv-launch a`)

	b.waitForPage("/sim/freja/tx", `form[action$="approve"]`)
	wantNoSidewaysScroll(b)
	b.click(`input[name="ssn"][value="` + person.SSN + `"]`)
	b.screenshot("03-app")
	b.clickText("button", "Confirm")

	b.waitForPage("/demo", ".demo-table")
	b.screenshot("04-claims")
	wantClaims(t, shownClaims(b), map[string]string{
		"name": person.Name(), "national_id": person.SSN, "country": "SE",
		"acr": "http://eidas.europa.eu/LoA/substantial", "idp": "freja",
	})
}
