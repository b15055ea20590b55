package broker_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/config"
)

// /metrics names clients: the public login listener does not serve it, unless
// a bearer token guards it (metrics.bearer_token_file); the metrics handler for
// the separate listener is guarded by the same token.
func TestMetricsStayOffTheLoginListener(t *testing.T) {
	const token = "metrics-token-0123456789-0123456789"
	tokenFile := filepath.Join(t.TempDir(), "metrics-token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		tokenFile string
		// status of /metrics on the login listener with no token, the wrong one, the right one
		main [3]int
		// the same on the metrics listener
		metrics [3]int
	}{
		{"no token", "", [3]int{404, 404, 404}, [3]int{200, 200, 200}},
		{"bearer token", tokenFile, [3]int{401, 401, 200}, [3]int{401, 401, 200}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			issuer, b := configuredBroker(t, func(cfg *config.Config) { cfg.Metrics.BearerTokenFile = tc.tokenFile })
			metrics := httptest.NewServer(b.Provider.MetricsHandler())
			t.Cleanup(metrics.Close)
			for i, auth := range []string{"", "Bearer wrong-token-0123456789-0123456789", "bearer " + token} {
				for _, where := range []struct {
					url  string
					want int
				}{{issuer + "/metrics", tc.main[i]}, {metrics.URL + "/metrics", tc.metrics[i]}} {
					req, _ := http.NewRequest("GET", where.url, nil)
					if auth != "" {
						req.Header.Set("Authorization", auth)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					body := new(strings.Builder)
					_, _ = io.Copy(body, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != where.want || (where.want == 200 && !strings.Contains(body.String(), "portvakt_")) {
						t.Errorf("GET %s with %q: status %d, want %d", where.url, auth, resp.StatusCode, where.want)
					}
				}
			}
		})
	}
}
