package browser

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// The viewport of the phone the browser tests emulate, in CSS pixels.
const phoneWidth, phoneHeight = 390, 844

// emulatePhone sizes the tab as a phone held upright, with touch.
func emulatePhone(b *tab) {
	b.do("emulate a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight,
		chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait, chromedp.EmulateScale(2)))
}

// TestLoginPageOnPhone opens the broker's chooser at a phone's width: nothing
// scrolls sideways, every eID option lies fully inside the screen where a tap
// reaches it, and a tap on one starts that eID; the order page that follows fits
// too.
func TestLoginPageOnPhone(t *testing.T) {
	b := openTab(t)
	env := startDev(t)
	emulatePhone(b)

	b.navigate(env.Issuer + "/demo")
	b.clickText("a", "Let me choose")
	b.waitForElement(`button[name="option"]`)
	b.screenshot("01-chooser")
	wantNoSidewaysScroll(b)

	options := evaluate[[]string](b, `Array.from(document.querySelectorAll('button[name="option"]'), o => o.value)`)
	if len(options) < 5 {
		t.Errorf("the chooser offers %v, want the five options of dev mode", options)
	}
	for _, value := range options {
		if problem := tappable(b, `button[name="option"][value="`+value+`"]`); problem != "" {
			t.Errorf("option %s: %s", value, problem)
		}
	}

	b.do("tap BankID on another device", chromedp.Tap(chromedp.CSS(`button[name="option"][value="se-bankid/other-device"]`)))
	b.waitForElement(`#pv-qr`)
	b.screenshot("02-order")
	wantNoSidewaysScroll(b)
	if problem := tappable(b, `.pv-actions button`); problem != "" {
		t.Errorf("the order page's cancel button: %s", problem)
	}
	if problem := tappable(b, `#pv-qr`); problem != "" {
		t.Errorf("the QR code: %s", problem)
	}
}

// pageWidth is how wide a page lays out, with the element that reaches furthest
// right, for messages.
type pageWidth struct {
	ScrollWidth, ClientWidth float64
	Widest                   string
	Right                    float64
}

// wantNoSidewaysScroll fails when the page is wider than the phone's screen.
func wantNoSidewaysScroll(b *tab) {
	b.t.Helper()
	got := evaluate[pageWidth](b, `(() => {
		const root = document.documentElement;
		let widest = '', right = 0;
		for (const el of document.body.querySelectorAll('*')) {
			const r = el.getBoundingClientRect().right;
			if (r > right) { right = r; widest = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''); }
		}
		return {ScrollWidth: root.scrollWidth, ClientWidth: root.clientWidth, Widest: widest, Right: right};
	})()`)
	if got.ScrollWidth > got.ClientWidth {
		b.t.Errorf("%s scrolls sideways on a phone: %+v", b.location(), got)
	}
	if got.ClientWidth > phoneWidth {
		b.t.Errorf("%s lays out %vpx wide, wider than the phone's %dpx (is the viewport meta tag there?)", b.location(), got.ClientWidth, phoneWidth)
	}
}

// tappable scrolls the element into view and says what keeps a finger from it:
// hidden, too small, partly off screen, or covered by another element. It returns
// "" when the element can be tapped.
func tappable(b *tab, css string) string {
	b.t.Helper()
	return evaluate[string](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		if (!el) return 'missing';
		el.scrollIntoView({block: 'center'});
		const r = el.getBoundingClientRect();
		const style = getComputedStyle(el);
		if (style.visibility !== 'visible' || style.display === 'none' || r.width === 0) return 'not visible';
		if (r.height < 24 || r.width < 24) return 'too small to tap: ' + r.width + 'x' + r.height;
		if (r.left < 0 || r.right > window.innerWidth) return 'partly off screen: ' + r.left + '..' + r.right + ' of ' + window.innerWidth;
		const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		if (!hit || !(hit === el || el.contains(hit))) return 'covered by ' + (hit ? hit.outerHTML.slice(0, 80) : 'nothing');
		return '';
	})()`, jsString(css)))
}
