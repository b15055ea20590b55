package browser

import (
	"strings"
	"testing"
)

// TestCancelInSimulator cancels in the eID's own page: the broker takes the
// person back to its login page with a message that says so (and the choice to
// try again); from there "Cancel and return" hands the demo app access_denied.
func TestCancelInSimulator(t *testing.T) {
	b := openTab(t)
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "MitID (Denmark)")
	b.waitForPage("/sim/dk-mitid/authorize", `form[action$="/authorize/decide"]`)
	b.screenshot("01-simulator")
	b.click(`button[name="action"][value="cancel"]`)

	b.waitForElement(`.pv-alert-error`)
	b.screenshot("02-back-at-broker")
	if path := evaluate[string](b, `location.pathname`); !strings.HasPrefix(path, "/login/") {
		t.Errorf("after the cancel the browser is at %s, want the broker's login page", path)
	}
	alert := evaluate[string](b, `document.querySelector('.pv-alert-error').textContent.trim()`)
	if !strings.Contains(strings.ToLower(alert), "cancel") {
		t.Errorf("the login page says %q, want it to say the login was cancelled", alert)
	}
	if evaluate[int](b, `document.querySelectorAll('button[name="option"][value^="dk-mitid"]').length`) == 0 {
		t.Error("the login page does not offer MitID again")
	}

	b.click(`.pv-cancel a`)
	wantAccessDenied(b)
	b.screenshot("03-demo-access-denied")
}

// TestCancelOnChooser cancels on the broker's own chooser page: the demo app
// gets access_denied and says so.
func TestCancelOnChooser(t *testing.T) {
	b := openTab(t)
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Let me choose")
	b.waitForElement(`.pv-cancel a`)
	b.screenshot("01-chooser")
	if text := evaluate[string](b, `document.querySelector('.pv-cancel a').textContent.trim()`); text != "Cancel and return to Demo app" {
		t.Errorf("the cancel link says %q", text)
	}
	b.click(`.pv-cancel a`)
	wantAccessDenied(b)
	b.screenshot("02-demo-access-denied")
}

// wantAccessDenied waits for the demo app's page after a failed login and checks
// it shows access_denied, both in its URL and to the person.
func wantAccessDenied(b *tab) {
	b.t.Helper()
	b.waitForPage("/demo", ".demo-alert")
	if got := evaluate[string](b, `new URLSearchParams(location.search).get('error') || ''`); got != "access_denied" {
		b.t.Errorf("the demo app got error=%q, want access_denied", got)
	}
	if alert := evaluate[string](b, `document.querySelector('.demo-alert').textContent`); !strings.Contains(alert, "access_denied") {
		b.t.Errorf("the demo page says %q, want it to show access_denied", alert)
	}
	if evaluate[bool](b, `document.querySelector('.demo-table') !== null`) {
		b.t.Error("the demo page shows claims after a cancelled login")
	}
}
