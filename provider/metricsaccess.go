package provider

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// minMetricsTokenLength keeps the metrics token out of guessing range.
const minMetricsTokenLength = 32

// readMetricsToken reads metrics.bearer_token_file; the hash is what requests
// are compared with, so the comparison takes the same time for any token.
func readMetricsToken(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the token file in the configuration
	if err != nil {
		return nil, fmt.Errorf("metrics.bearer_token_file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if len(token) < minMetricsTokenLength {
		return nil, fmt.Errorf("metrics.bearer_token_file: the token must be at least %d characters", minMetricsTokenLength)
	}
	sum := sha256.Sum256([]byte(token))
	return sum[:], nil
}

// MetricsHandler serves the Prometheus metrics, behind the bearer token when
// metrics.bearer_token_file is set. `portvakt serve` gives it a listener of its
// own (metrics.listen).
func (s *Server) MetricsHandler() http.Handler {
	next := s.metrics.Handler()
	if s.metricsToken == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], s.metricsToken) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="portvakt-metrics"`)
			http.Error(w, "a metrics bearer token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// metricsOnMainListener: dev mode keeps /metrics on its one listener; elsewhere
// only a token lets the public listener serve it.
func (s *Server) metricsOnMainListener() bool { return s.metricsPublic || s.metricsToken != nil }
