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
		AllowedOrigins:   []string{"*"},
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "DPoP"},
		AllowCredentials: false,
	}
}
