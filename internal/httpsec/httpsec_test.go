package httpsec

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPolicies(t *testing.T) {
	tests := []struct{ name, got, want string }{
		{"broker", BrokerCSP(), "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"},
		{"simulator", SimulatorCSP(), "default-src 'none'; img-src 'self'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'"},
		{"nothing allowed", CSP(Sources{}), "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, tt.got, tt.want)
		}
	}
}

func TestHandlerSetsHeaders(t *testing.T) {
	h := Simulator(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tests := []struct {
		name string
		req  func() *http.Request
		hsts bool
	}{
		{"plain http", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/", nil) }, false},
		{"tls", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.TLS = &tls.ConnectionState{}
			return r
		}, true},
		{"behind a proxy", func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("X-Forwarded-Proto", "https")
			return r
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tt.req())
			got := rec.Header()
			if got.Get("Content-Security-Policy") != SimulatorCSP() || got.Get("X-Frame-Options") != "DENY" ||
				got.Get("Referrer-Policy") != "no-referrer" || got.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", got)
			}
			if (got.Get("Strict-Transport-Security") != "") != tt.hsts {
				t.Errorf("HSTS %q, want set: %v", got.Get("Strict-Transport-Security"), tt.hsts)
			}
		})
	}
}
