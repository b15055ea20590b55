package config

import (
	"strings"
	"testing"
)

// metrics.listen defaults to loopback and must be host:port or off.
func TestMetricsListen(t *testing.T) {
	for _, tc := range []struct {
		listen, want string
		ok           bool
	}{
		{"", "127.0.0.1:9090", true},
		{"off", "off", true},
		{":9100", ":9100", true},
		{"9090", "9090", false},
	} {
		cfg := Config{Issuer: "https://login.example", MasterKey: "k", Storage: Storage{Driver: "sqlite", DSN: "x"}, Metrics: Metrics{Listen: tc.listen}}
		cfg.ApplyDefaults()
		problems := strings.Join(cfg.Validate(), "\n")
		if cfg.Metrics.Listen != tc.want || strings.Contains(problems, "metrics.listen") == tc.ok {
			t.Errorf("listen %q: became %q, problems %q", tc.listen, cfg.Metrics.Listen, problems)
		}
	}
}
