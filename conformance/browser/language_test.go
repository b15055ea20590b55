package browser

import (
	"fmt"
	"testing"
)

// TestLanguageSwitcher switches the broker's login page to Swedish and then to
// Finnish with its language menu: the page's text and its <html lang> follow,
// and the login goes on afterwards.
func TestLanguageSwitcher(t *testing.T) {
	b := openTab(t)
	env := startDev(t)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Let me choose")
	b.waitForElement(`button[name="option"]`)
	wantLanguage(b, "en", "Log in to Demo app", "Cancel and return to Demo app")
	b.screenshot("01-english")

	steps := []struct{ code, name, heading, cancel string }{
		{"sv", "Svenska", "Logga in på Demo app", "Avbryt och gå tillbaka till Demo app"},
		{"fi", "Suomi", "Kirjaudu palveluun Demo app", "Peruuta ja palaa palveluun Demo app"},
	}
	for i, s := range steps {
		b.click(`summary.pv-langs-toggle`)
		b.waitUntil("the language menu is open", `document.querySelector('details.pv-langs-menu').open`)
		b.clickText("a", s.name)
		b.waitUntil("the page is in "+s.name, `document.readyState === 'complete' && document.documentElement.lang === `+jsString(s.code))
		wantLanguage(b, s.code, s.heading, s.cancel)
		b.screenshot(fmt.Sprintf("%02d-%s", i+2, s.code))
	}

	b.click(`button[name="option"][value^="dk-mitid"]`)
	b.waitForPage("/sim/dk-mitid/authorize", `form[action$="/authorize/decide"]`)
}

// wantLanguage checks the login page is in the language: <html lang>, the heading,
// the cancel link and the language menu's current entry.
func wantLanguage(b *tab, code, heading, cancel string) {
	b.t.Helper()
	got := evaluate[map[string]string](b, `({
		lang: document.documentElement.lang,
		heading: document.querySelector('h1.pv-title').textContent.trim(),
		cancel: document.querySelector('.pv-cancel a').textContent.trim(),
		current: (document.querySelector('.pv-langs-list a[aria-current="true"]') || {}).lang || '',
	})`)
	want := map[string]string{"lang": code, "heading": heading, "cancel": cancel, "current": code}
	for k, v := range want {
		if got[k] != v {
			b.t.Errorf("%s: the login page's %s is %q, want %q", code, k, got[k], v)
		}
	}
}
