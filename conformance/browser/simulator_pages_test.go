package browser

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/themes"
)

// TestSimulatorPagesOnPhone opens every simulator page in every language at a
// phone's size: the /sim/ index, the BankID app's start screen (empty and with
// a waiting order), its order page, how a cancelled order ends and its error
// page, and the login page and error page of the Norwegian BankID, FTN and MitID
// simulators (reached from the demo app, switched with the page's language
// links). Each page must be in its language (no English message left on
// another language's page, no message id in place of a message), fit the
// screen, have a viewport and a favicon, and offer targets a thumb can hit. The BankID order page's banner links to the
// BankID app.
func TestSimulatorPagesOnPhone(t *testing.T) {
	root := openTab(t)
	env := startDev(t)
	emulatePhone(root)
	redirectEIDs := []struct{ id, acr string }{
		{"no-bankid", "urn:portvakt:eid:no:bankid"},
		{"fi-ftn", "urn:portvakt:eid:fi:ftn"},
		{"dk-mitid", "urn:portvakt:eid:dk:mitid"},
	}
	for _, lang := range themes.Languages() {
		t.Run(lang, func(t *testing.T) {
			b := &tab{t: t, ctx: root.ctx}
			b.navigate(env.Issuer + "/sim/?lang=" + lang)
			wantSimulatorPage(b, lang, "index")
			b.navigate(env.Issuer + "/sim/se-bankid/?lang=" + lang)
			wantSimulatorPage(b, lang, "bankid-home")

			login := b.openSibling()
			login.navigate(env.Issuer + "/demo/login?acr_values=" + url.QueryEscape("urn:portvakt:eid:se:bankid:other-device"))
			login.waitForElement(`#pv-qr`)
			if href := evaluate[string](login, `(document.querySelector('.pv-test-banner a') || {}).href || ''`); href != env.Issuer+"/sim/se-bankid/" {
				t.Errorf("the BankID order page's banner links to %q, want the BankID app %s/sim/se-bankid/", href, env.Issuer)
			}

			b.navigate(env.Issuer + "/sim/se-bankid/")
			b.waitForElement(`a.sim-order`)
			wantSimulatorPage(b, lang, "bankid-waiting")
			b.click(`a.sim-order`)
			b.waitForPage("/sim/se-bankid/order", `form[action$="approve"]`)
			wantSimulatorPage(b, lang, "bankid-order")
			b.click(`form[action$="decline"] button`)
			b.waitForElement(`.sim-done`)
			wantSimulatorPage(b, lang, "bankid-cancelled")
			b.navigate(env.Issuer + "/sim/se-bankid/order?ref=no-such-order")
			wantSimulatorPage(b, lang, "bankid-error")

			for _, e := range redirectEIDs {
				b.navigate(env.Issuer + "/demo/login?acr_values=" + url.QueryEscape(e.acr))
				b.waitForPage("/sim/"+e.id+"/authorize", `form[action$="/authorize/decide"]`)
				b.click(`.sim-langs a[hreflang="` + lang + `"]`)
				b.waitUntil("the page is in "+lang, `document.readyState === 'complete' && document.documentElement.lang === `+jsString(lang)+
					` && location.pathname.endsWith('/authorize/page')`)
				wantSimulatorPage(b, lang, e.id)
				b.navigate(env.Issuer + "/sim/" + e.id + "/authorize/page?txn=over")
				wantSimulatorPage(b, lang, e.id+"-error")
			}
		})
	}
}

// TestSimulatorsTakeTheLanguage checks the person's language reaches each
// simulator without the switch: the OpenID ones from the broker's request
// (ui_locales, MitID's language), the BankID app from the browser's languages.
func TestSimulatorsTakeTheLanguage(t *testing.T) {
	cases := []struct{ name, acr, uiLocales, simulator string }{
		{"NorwegianBankID", "urn:portvakt:eid:no:bankid", "nb", "no-bankid"},
		{"FTN", "urn:portvakt:eid:fi:ftn", "fi", "fi-ftn"},
		{"FTNSwedish", "urn:portvakt:eid:fi:ftn", "sv", "fi-ftn"},
		{"MitID", "urn:portvakt:eid:dk:mitid", "da", "dk-mitid"},
	}
	b := openTab(t)
	env := startDev(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := &tab{t: t, ctx: b.ctx}
			q := url.Values{
				"client_id": {"demo"}, "redirect_uri": {env.Issuer + "/demo/callback"}, "response_type": {"code"},
				"scope": {"openid"}, "state": {"s"}, "nonce": {"n"}, "acr_values": {c.acr}, "ui_locales": {c.uiLocales},
				"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
			}
			b.navigate(env.Issuer + "/authorize?" + q.Encode())
			b.waitForPage("/sim/"+c.simulator+"/authorize", `form[action$="/authorize/decide"]`)
			if got := evaluate[string](b, `document.documentElement.lang`); got != c.uiLocales {
				t.Errorf("ui_locales=%s: the %s simulator's page is in %q", c.uiLocales, c.simulator, got)
			}
		})
	}
	t.Run("BankIDApp", func(t *testing.T) {
		b := &tab{t: t, ctx: b.ctx}
		b.do("prefer Finnish", chromedp.Func(func(ctx context.Context, target *chromedp.Target) error {
			_, err := cdp.Call(ctx, target, network.SetExtraHTTPHeaders,
				network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "fi-FI,fi;q=0.9,en;q=0.5"}})
			return err
		}))
		b.navigate(env.Issuer + "/sim/se-bankid/")
		if got := evaluate[string](b, `document.documentElement.lang`); got != "fi" {
			t.Errorf("with Accept-Language fi the BankID app is in %q", got)
		}
	})
}

// simulatorPage is what wantSimulatorPage reads of a page.
type simulatorPage struct {
	Lang                    string
	ScrollWidth, InnerWidth float64
	Viewport, Icon          string
	Text                    string
	Small                   []string
}

// wantSimulatorPage checks the page the tab shows, named name in messages, and
// saves a screenshot of it.
func wantSimulatorPage(b *tab, lang, name string) {
	b.t.Helper()
	b.waitUntil("the page has loaded", `document.readyState === 'complete'`)
	b.screenshot(name)
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[simulatorPage](`(() => {
		const root = document.documentElement;
		const texts = [document.title];
		// Text marked as another language (the language switch, a developer's
		// detail) is not the page's own.
		const walk = el => {
			if (el !== root && el.lang && el.lang !== root.lang) return;
			for (const n of el.childNodes) {
				if (n.nodeType === Node.TEXT_NODE) texts.push(n.textContent);
				else if (n.nodeType === Node.ELEMENT_NODE) {
					if (n.placeholder) texts.push(n.placeholder);
					if (n.getAttribute('aria-label')) texts.push(n.getAttribute('aria-label'));
					walk(n);
				}
			}
		};
		walk(document.body);
		const icon = document.querySelector('link[rel~="icon"]');
		const small = Array.from(document.querySelectorAll('button, a, input[type=radio], .sim-choice, input[type=text], textarea'))
			.filter(el => {
				const box = (el.closest('.sim-choice') || el).getBoundingClientRect();
				return box.width > 0 && box.height < 44;
			})
			.map(el => el.outerHTML.slice(0, 80));
		const vp = document.querySelector('meta[name="viewport"]');
		return {Lang: root.lang, ScrollWidth: root.scrollWidth, InnerWidth: window.innerWidth,
			Viewport: vp ? vp.content : '', Icon: icon ? icon.href : '',
			Text: texts.join(' ').replace(/\s+/g, ' '), Small: small};
	})()`))
	if err != nil {
		b.t.Fatalf("%s: read the page: %v (at %s)", name, err, b.location())
	}
	where := fmt.Sprintf("%s (%s, %s)", name, lang, b.location())
	if v.Lang != lang {
		b.t.Errorf("%s: <html lang=%q>", where, v.Lang)
	}
	if v.InnerWidth > phoneWidth {
		b.t.Errorf("%s: lays out %vpx wide on a %dpx phone", where, v.InnerWidth, phoneWidth)
	}
	if v.ScrollWidth > v.InnerWidth {
		b.t.Errorf("%s: %vpx wide on a %vpx screen", where, v.ScrollWidth, v.InnerWidth)
	}
	if !strings.Contains(v.Viewport, "width=device-width") {
		b.t.Errorf("%s: viewport meta tag %q", where, v.Viewport)
	}
	if problem := iconProblem(v.Icon); problem != "" {
		b.t.Errorf("%s: favicon %q: %s", where, v.Icon, problem)
	}
	if len(v.Small) > 0 {
		b.t.Errorf("%s: targets smaller than 44px: %v", where, v.Small)
	}
	for id := range simui.Messages("en") {
		if strings.Contains(v.Text, id) {
			b.t.Errorf("%s: shows the message id %q, not its text", where, id)
		}
	}
	if lang != "en" {
		for _, english := range untranslated(lang, v.Text) {
			b.t.Errorf("%s: English text %q", where, english)
		}
	}
}

// untranslated returns the English messages of the simulators found in text, a
// page in lang. English that lang's own messages contain too (a name such as
// BankID, Danish "Log ind" holding "Log in") does not count.
func untranslated(lang, text string) []string {
	own := strings.Join(slices.Collect(maps.Values(simui.Messages(lang))), "\n")
	var found []string
	for _, english := range simui.Messages("en") {
		for _, part := range templateField.Split(english, -1) {
			part = strings.TrimSpace(part)
			if len(part) > 3 && strings.Contains(text, part) && !strings.Contains(own, part) {
				found = append(found, part)
			}
		}
	}
	return found
}

// templateField matches a message's {{.Field}}, which the page fills in.
var templateField = regexp.MustCompile(`\{\{[^}]*\}\}`)

// iconProblem fetches the favicon (the page's CSP keeps its own script from
// doing so) and says what is wrong with it, or "".
func iconProblem(href string) string {
	if href == "" {
		return "none"
	}
	resp, err := http.Get(href)
	if err != nil {
		return err.Error()
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "image/") {
		return fmt.Sprintf("answers %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return ""
}
