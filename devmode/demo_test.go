package devmode

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The demo app's callback only finishes a login the same browser started: an
// attacker's code and state, planted in a victim's browser (login CSRF), do not
// log the victim in as the attacker.
func TestDemoLoginIsBoundToTheBrowser(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	callback := d.issuer + "/demo/callback"
	start := d.issuer + "/demo/login?" + url.Values{"acr_values": {"urn:portvakt:eid:dk:mitid"}}.Encode()

	attacker := noFollow(t)
	got := redirectsOnly(t, attacker, start, callback)
	planted := callback + "?" + got.Encode()

	victim := noFollow(t)
	resp, err := victim.Get(planted)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || hasDemoSession(victim, d.issuer) {
		t.Fatalf("the victim's browser: status %d, session %v; want 400 and no session", resp.StatusCode, hasDemoSession(victim, d.issuer))
	}

	// The browser that started the login still finishes it.
	own := noFollow(t)
	got = redirectsOnly(t, own, start, callback)
	resp, err = own.Get(callback + "?" + got.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || !hasDemoSession(own, d.issuer) {
		t.Fatalf("the starting browser: status %d; want a redirect to /demo with a session", resp.StatusCode)
	}
}

func hasDemoSession(c *http.Client, issuer string) bool {
	u, _ := url.Parse(issuer + "/demo")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "pv_demo" && ck.Value != "" {
			return true
		}
	}
	return false
}

// The demo and the simulators are pages people copy and testers open: each
// gets the broker's framing, referrer and sniffing headers, and a CSP.
func TestDemoAndSimulatorPagesHaveSecurityHeaders(t *testing.T) {
	d := startDevServer(t, t.TempDir(), false)
	for _, path := range []string{"/demo", "/demo/callback", "/sim/", "/sim/se-bankid/", "/sim/dk-mitid/authorize", "/sim/no-bankid/.well-known/openid-configuration"} {
		t.Run(path, func(t *testing.T) {
			resp, err := noFollow(t).Get(d.issuer + path)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			h := resp.Header
			csp := h.Get("Content-Security-Policy")
			if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") ||
				h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("status %d headers %v", resp.StatusCode, h)
			}
		})
	}
}
