package httpsec

import (
	"net/http"
	"strings"
)

// Set puts the clickjacking, referrer and sniffing defences and the policy csp
// on a response, and HSTS when the request came over HTTPS (directly or through
// a proxy that says so).
func Set(h http.Header, r *http.Request, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	if r != nil && (r.TLS != nil || strings.HasPrefix(r.Header.Get("X-Forwarded-Proto"), "https")) {
		h.Set("Strict-Transport-Security", "max-age=63072000")
	}
}

// Handler sets the headers with policy csp on every response of next, HTML or
// not; a page that needs another policy sets its own with Set.
func Handler(csp string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Set(w.Header(), r, csp)
		next.ServeHTTP(w, r)
	})
}

// Broker is Handler with BrokerCSP.
func Broker(next http.Handler) http.Handler { return Handler(BrokerCSP(), next) }

// Simulator is Handler with SimulatorCSP.
func Simulator(next http.Handler) http.Handler { return Handler(SimulatorCSP(), next) }
