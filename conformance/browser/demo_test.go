package browser

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestDemoPassesItsLanguageAndLeadsWithWhoLoggedIn opens the demo app in Swedish:
// its buttons name the eIDs in Swedish, the broker's chooser follows it
// (ui_locales), and after the login the result
// page leads with who logged in, with which eID, at which level and when, in
// words and dates; the raw claims come below.
func TestDemoPassesItsLanguageAndLeadsWithWhoLoggedIn(t *testing.T) {
	b := openTab(t)
	env := startDev(t)

	b.navigate(env.Issuer + "/demo?lang=sv")
	labels := evaluate[[]string](b, `Array.from(document.querySelectorAll('.demo-options a'), a => a.textContent.trim())`)
	if want := []string{"BankID (Sverige)", "BankID (Norge)", "Finländska bankkoder (FTN)", "MitID (Danmark)", "Freja eID", "Låt mig välja"}; !slices.Equal(labels, want) {
		t.Errorf("the Swedish demo offers %q, want %q", labels, want)
	}
	b.click(`.demo-options li:last-child a`)
	b.waitForElement(`button[name="option"]`)
	b.screenshot("01-chooser")
	if lang := evaluate[string](b, `document.documentElement.lang`); lang != "sv" {
		t.Errorf("the broker's chooser is in %q, want the demo's sv", lang)
	}
	b.click(`button[name="option"][value^="dk-mitid"]`)
	b.waitForPage("/sim/dk-mitid/authorize", `form[action$="/authorize/decide"]`)
	b.click(`button[name="action"][value="approve"]`)

	b.waitForPage("/demo", ".demo-summary")
	b.screenshot("02-result")
	summary := evaluate[map[string]string](b, `Object.fromEntries(Array.from(
		document.querySelectorAll('.demo-summary div'),
		row => [row.querySelector('dt').textContent.trim(), row.querySelector('dd').textContent.trim()]))`)
	claims := shownClaims(b)
	want := map[string]string{"Namn": claims["name"], "E-legitimation": "MitID (Danmark)", "Tillitsnivå": "Väsentlig"}
	for k, v := range want {
		if summary[k] != v || v == "" {
			t.Errorf("the summary's %s is %q, want %q (summary %v)", k, summary[k], v, summary)
		}
	}
	if when := summary["Inloggad"]; !regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}`).MatchString(when) {
		t.Errorf("the summary says the login was at %q, want a date and time", when)
	}
	if !evaluate[bool](b, `!!(document.querySelector('.demo-summary').compareDocumentPosition(document.querySelector('.demo-table')) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Error("the raw claims come before the summary")
	}
	if at := claims["auth_time"]; !strings.Contains(at, "UTC") {
		t.Errorf("the claims table shows auth_time as %q, want a date too", at)
	}
}
