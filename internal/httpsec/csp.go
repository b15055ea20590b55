package httpsec

import "strings"

// Sources are what a page may load besides itself, one field per fetch
// directive. An empty field leaves the directive out, so default-src 'none'
// refuses that kind of resource.
type Sources struct {
	Img, Style, Script, Connect string
}

// CSP builds a policy over a base that refuses everything (default-src 'none'),
// any framing and any <base> element. form-action is left out on purpose:
// browsers apply it to the redirects that follow a form post, and the login
// form redirects to the eID, the consent form to the client.
func CSP(s Sources) string {
	d := []string{"default-src 'none'"}
	for _, dir := range []struct{ name, sources string }{
		{"img-src", s.Img}, {"style-src", s.Style}, {"script-src", s.Script}, {"connect-src", s.Connect},
	} {
		if dir.sources != "" {
			d = append(d, dir.name+" "+dir.sources)
		}
	}
	return strings.Join(append(d, "frame-ancestors 'none'", "base-uri 'none'"), "; ")
}

// BrokerCSP is the policy of every page and file the broker serves: its own
// style sheets, scripts and images only, with no inline script or style (client
// colours come as a generated style sheet), data: images for the QR code, and
// connect-src 'self' so the order page can poll the order status.
func BrokerCSP() string {
	return CSP(Sources{Img: "'self' data:", Style: "'self'", Script: "'self'", Connect: "'self'"})
}

// SimulatorCSP is the policy of the simulated eID apps' pages: their own style
// sheet and icon, and no script at all.
func SimulatorCSP() string {
	return CSP(Sources{Img: "'self'", Style: "'self'"})
}
