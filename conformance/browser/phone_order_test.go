package browser

import (
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// TestPhoneOpensBankIDOnThisDeviceFirst checks the order of the BankID methods: on
// a phone "On this device" comes first, on a desktop the QR code; and the QR page
// offers to open BankID on this device instead.
func TestPhoneOpensBankIDOnThisDeviceFirst(t *testing.T) {
	onEachScreen(t, func(t *testing.T, s screen, b *tab, env *devmode.Env) {
		b.navigate(env.Issuer + "/demo")
		b.clickText("a", "BankID (Sweden)")
		b.waitForElement(`button[name="option"]`)
		b.screenshot("01-chooser")
		first := evaluate[string](b, `document.querySelector('button[name="option"]').value`)
		want := "se-bankid/other-device"
		if s.phone {
			want = "se-bankid/same-device"
		}
		if first != want {
			t.Errorf("the first BankID option is %s, want %s", first, want)
		}

		b.click(`button[name="option"][value="se-bankid/other-device"]`)
		b.waitForElement(`#pv-qr`)
		b.screenshot("02-qr")
		if href := evaluate[string](b, `(document.querySelector('.pv-launch-instead a') || {}).href || ''`); href == "" {
			t.Error("the QR page does not offer to open BankID on this device")
		}
	})
}
