package provider

import (
	"net/http"
	"strings"

	"github.com/rs/cors"
)

// contentSecurityPolicy allows only the broker's own files: no inline script or
// style, no framing. form-action is left out on purpose: browsers apply it to the
// redirects that follow a form post, and the login form redirects to the eID.
const contentSecurityPolicy = "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders puts the clickjacking, referrer and sniffing defences on every
// response, HTML or not.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.TLS != nil || strings.HasPrefix(r.Header.Get("X-Forwarded-Proto"), "https") {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}

// SecurityHeaders puts the broker's headers on a handler served beside it (dev
// mode's demo and simulator pages). A page that needs another CSP sets its own.
func SecurityHeaders(next http.Handler) http.Handler { return securityHeaders(next) }

// allowCORS is for the endpoints browsers' RP code may call directly: discovery,
// JWKS, token, userinfo. Never /authorize or the login pages.
func allowCORS(next http.Handler) http.Handler { return cors.New(corsOptions()).Handler(next) }

// corsOptions allow any origin without credentials: tokens travel in headers and
// bodies, never in cookies.
func corsOptions() cors.Options {
	return cors.Options{
		AllowedOrigins:   []string{"*"},
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "DPoP"},
		AllowCredentials: false,
	}
}
