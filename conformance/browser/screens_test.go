package browser

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/portvakt/portvakt/devmode"
)

// screen is a browser size the broker's pages must work at.
type screen struct {
	name    string
	phone   bool
	emulate chromedp.Action[chromedp.Void]
}

// screens are a phone (an iPhone 13: 390x844, with its user agent) and a desktop
// (1280x900).
func screens() []screen {
	return []screen{
		{name: "phone", phone: true, emulate: chromedp.Emulate(device.IPhone13)},
		{name: "desktop", emulate: chromedp.EmulateViewport(1280, 900)},
	}
}

// onEachScreen runs test once per screen, each time in a fresh browser context
// at the screen's size with dev mode of its own.
func onEachScreen(t *testing.T, test func(t *testing.T, s screen, b *tab, env *devmode.Env)) {
	for _, s := range screens() {
		t.Run(s.name, func(t *testing.T) {
			b := openTab(t)
			b.do("emulate a "+s.name, s.emulate)
			test(t, s, b, startDev(t))
		})
	}
}

// startBankID goes from the demo app to the broker's BankID chooser and picks the
// method ("other-device" or "same-device").
func startBankID(b *tab, env *devmode.Env, method string) {
	b.t.Helper()
	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "BankID (Sweden)")
	b.waitForElement(`button[name="option"]`)
	b.click(`button[name="option"][value="se-bankid/` + method + `"]`)
}

// pageFit is how a page lays out against the screen, with what it needs.
type pageFit struct {
	ScrollWidth, ClientWidth  float64
	ScrollHeight, InnerHeight float64
	Needed                    float64 // banner, header and card, stacked
	GapAboveHeader            float64 // empty space between the banner and the header
	HasCard                   bool
}

// wantFits fails when the page scrolls sideways, or needs a scrollbar although
// its content fits the screen, or leaves a large empty area above the card.
func wantFits(b *tab, what string) {
	b.t.Helper()
	got := evaluate[pageFit](b, `(() => {
		const root = document.documentElement;
		const height = sel => { const el = document.querySelector(sel); return el ? el.getBoundingClientRect().height : 0; };
		const banner = document.querySelector('.pv-test-banner');
		const header = document.querySelector('.pv-header');
		const bannerBottom = banner ? banner.getBoundingClientRect().bottom : 0;
		return {
			ScrollWidth: root.scrollWidth, ClientWidth: root.clientWidth,
			ScrollHeight: root.scrollHeight, InnerHeight: window.innerHeight,
			Needed: height('.pv-test-banner') + height('.pv-header') + height('.pv-card'),
			GapAboveHeader: header ? header.getBoundingClientRect().top - bannerBottom : 0,
			HasCard: document.querySelector('.pv-card') !== null,
		};
	})()`)
	if !got.HasCard {
		b.t.Errorf("%s is not the broker's page (no card) at %s", what, b.location())
		return
	}
	if got.ScrollWidth > got.ClientWidth {
		b.t.Errorf("%s scrolls sideways: %+v", what, got)
	}
	// 96 px leaves room for the page's margins around the card.
	if got.Needed+96 <= got.InnerHeight && got.ScrollHeight > got.InnerHeight {
		b.t.Errorf("%s needs a scrollbar although its content fits: %+v", what, got)
	}
	if got.GapAboveHeader > 64 {
		b.t.Errorf("%s leaves %.0f px empty above the card", what, got.GapAboveHeader)
	}
}

// withLang is the page's URL with the language switcher's ?lang=.
func withLang(raw, lang string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery = q.Encode()
	return u.String()
}
