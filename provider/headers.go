package provider

import (
	"net/http"

	"github.com/rs/cors"
)

// allowCORS is for the endpoints browsers' RP code may call directly: discovery,
// JWKS, token, userinfo. Never /authorize or the login pages.
func allowCORS(next http.Handler) http.Handler { return cors.New(corsOptions()).Handler(next) }

// corsOptions allow any origin without credentials: tokens travel in headers and
// bodies, never in cookies.
func corsOptions() cors.Options {
	return cors.Options{
		AllowedOrigins: []string{"*"},
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Authorization", "Content-Type", "DPoP"},
		// Browser clients read a refusal's challenge and the DPoP nonce (RFC 9449 §8).
		ExposedHeaders:   []string{"WWW-Authenticate", "DPoP-Nonce"},
		AllowCredentials: false,
	}
}
