package browser

import (
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/themes"
)

// TestBrokerPagesFitTheScreen opens the broker's pages on a phone and a desktop:
// the chooser, both BankID order pages, an error page, the page of an unknown
// path and the logged-out page. None scrolls sideways, none needs a scrollbar when its content fits, and
// none leaves a large empty area above its card.
func TestBrokerPagesFitTheScreen(t *testing.T) {
	onEachScreen(t, func(t *testing.T, _ screen, b *tab, env *devmode.Env) {
		b.navigate(env.Issuer + "/demo")
		b.clickText("a", "Let me choose")
		b.waitForElement(`button[name="option"]`)
		b.screenshot("01-chooser")
		wantFits(b, "the chooser")

		b.click(`button[name="option"][value="se-bankid/other-device"]`)
		b.waitForElement(`#pv-qr`)
		b.screenshot("02-qr")
		wantFits(b, "the QR order page")
		b.click(`.pv-actions button`)
		b.waitForPage("/demo", ".demo-alert")

		startBankID(b, env, "same-device")
		b.waitForElement(`.pv-launch a`)
		b.screenshot("03-open-app")
		wantFits(b, "the same-device order page")

		for _, p := range []struct{ path, step, what string }{
			{"/login/no-such-login", "04-error", "an error page"},
			{"/no/such/page", "05-not-found", "the page of an unknown path"},
			{"/logged-out", "06-logged-out", "the logged-out page"},
		} {
			b.navigate(env.Issuer + p.path)
			b.waitForElement(`.pv-card`)
			b.screenshot(p.step)
			wantFits(b, p.what)
		}
	})
}

// TestErrorPagesHaveAWayOn drives a browser into each dead end an issue found: an
// unregistered redirect_uri, an unknown client, an unknown login, a finished login
// opened again (Back, then Approve), and an unknown path. Each page offers a way
// on: a link back to the client's home where the client is known, and always a
// reference to quote to support.
func TestErrorPagesHaveAWayOn(t *testing.T) {
	onEachScreen(t, func(t *testing.T, _ screen, b *tab, env *devmode.Env) {
		authorize := func(client, redirect string) string {
			q := url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {redirect}, "state": {"s"}}
			return env.Issuer + "/authorize?" + q.Encode()
		}

		home := env.Issuer + "/demo"

		// A login to its end; then Back to the eID and Approve once more.
		b.navigate(env.Issuer + "/demo")
		b.clickText("a", "MitID (Denmark)")
		b.waitForPage("/sim/dk-mitid/authorize", `form[action$="/authorize/decide"]`)
		b.click(`button[name="action"][value="approve"]`)
		b.waitForPage("/demo", ".demo-main")
		b.do("go back", chromedp.NavigateBack())
		b.waitForPage("/sim/dk-mitid/authorize", `form[action$="/authorize/decide"]`)
		b.click(`button[name="action"][value="approve"]`)
		b.waitForElement(`.pv-card`)
		b.screenshot("approve-again")
		wantWayOn(b, "approving a finished login again", home)
		for _, tc := range []struct {
			name, url, home string
		}{
			{"bad-redirect", authorize("demo", "https://evil.example/cb"), home},
			{"unknown-client", authorize("nobody", env.Issuer+"/demo/callback"), ""},
			{"unknown-login", env.Issuer + "/login/no-such-login", ""},
			{"not-found", env.Issuer + "/no/such/page", ""},
		} {
			b.navigate(tc.url)
			b.waitForElement(`.pv-card`)
			b.screenshot(tc.name)
			wantWayOn(b, tc.name, tc.home)
			wantFits(b, tc.name)
		}
	})
}

// wantWayOn checks an error page shows a support reference and, when home is
// not empty, a link to it.
func wantWayOn(b *tab, what, home string) {
	b.t.Helper()
	got := evaluate[map[string]string](b, `({
		reference: ((document.querySelector('.pv-reference code') || {}).textContent || '').trim(),
		link: (document.querySelector('.pv-card a.pv-button') || {}).href || '',
	})`)
	if got["reference"] == "" {
		b.t.Errorf("%s: no support reference", what)
	}
	if home != "" && got["link"] != home {
		b.t.Errorf("%s: the way back goes to %q, want %q", what, got["link"], home)
	}
	if home == "" && got["link"] != "" {
		b.t.Errorf("%s: links to %q for a client it does not know", what, got["link"])
	}
}

// TestOrderPageTitles reads the BankID order page's tab title in every language:
// it names BankID and never says "<no value>".
func TestOrderPageTitles(t *testing.T) {
	b := openTab(t)
	env := startDev(t)

	startBankID(b, env, "other-device")
	b.waitForElement(`#pv-qr`)
	order := b.location()
	for _, lang := range themes.Languages() {
		b.navigate(withLang(order, lang))
		b.waitUntil("the order page is in "+lang, `document.readyState === 'complete' && document.documentElement.lang === `+jsString(lang))
		title := evaluate[string](b, `document.title`)
		if strings.Contains(title, "no value") || !strings.Contains(title, "BankID") {
			t.Errorf("%s: the order page's title is %q", lang, title)
		}
	}
}

// qrShape is where the QR image sits and how wide the code inside it is drawn.
type qrShape struct {
	Src                 string
	Left, Top, Width    float64
	CodeLeft, CodeWidth float64
}

// TestQRCodeKeepsItsSize watches the QR code from the server's first image
// through the images order.js draws: the image box and the code inside it keep
// their place and size.
func TestQRCodeKeepsItsSize(t *testing.T) {
	onEachScreen(t, func(t *testing.T, _ screen, b *tab, env *devmode.Env) {
		startBankID(b, env, "other-device")
		b.waitUntil("the QR image is loaded", `document.readyState === 'complete' && (document.getElementById('pv-qr') || {}).complete === true`)
		first := measureQR(b)
		b.screenshot("01-first")
		b.waitUntil("order.js draws the next QR code", `(document.getElementById('pv-qr') || {}).src !== `+jsString(first.Src)+
			` && document.getElementById('pv-qr').complete`)
		next := measureQR(b)
		b.screenshot("02-next")
		for name, d := range map[string]float64{
			"left": next.Left - first.Left, "top": next.Top - first.Top, "width": next.Width - first.Width,
			"code left": next.CodeLeft - first.CodeLeft, "code width": next.CodeWidth - first.CodeWidth,
		} {
			if math.Abs(d) > 1 {
				t.Errorf("the QR code's %s changed by %.1f px: first %+v, then %+v", name, d, first.withoutSrc(), next.withoutSrc())
			}
		}
	})
}

func (q qrShape) withoutSrc() qrShape { q.Src = ""; return q }

// measureQR reads the QR image's box and, from its pixels, the dark code inside.
func measureQR(b *tab) qrShape {
	b.t.Helper()
	return evaluate[qrShape](b, `(() => {
		const img = document.getElementById('pv-qr');
		const box = img.getBoundingClientRect();
		const canvas = document.createElement('canvas');
		canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
		const ctx = canvas.getContext('2d');
		ctx.drawImage(img, 0, 0);
		const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
		let min = canvas.width, max = -1;
		for (let y = 0; y < canvas.height; y++) for (let x = 0; x < canvas.width; x++) {
			if (px[(y * canvas.width + x) * 4] < 128) { min = Math.min(min, x); max = Math.max(max, x); }
		}
		const scale = box.width / canvas.width;
		return {Src: img.src, Left: box.left + scrollX, Top: box.top + scrollY, Width: box.width,
			CodeLeft: box.left + scrollX + min * scale, CodeWidth: (max - min + 1) * scale};
	})()`)
}
