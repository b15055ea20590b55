package config

import (
	"strings"
	"testing"
	"time"
)

// TestEvidenceRetention: ten years unless the file says otherwise.
func TestEvidenceRetention(t *testing.T) {
	const base = "issuer: https://id.example\nmaster_key: k\nstorage: {driver: sqlite, dsn: x.db}\n"
	for _, tc := range []struct {
		file string
		want time.Duration
	}{
		{base, 87600 * time.Hour},
		{base + "evidence: {retention: 8760h}\n", 8760 * time.Hour},
	} {
		cfg, err := Parse([]byte(tc.file), env(nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Evidence.Retention.D(); got != tc.want {
			t.Errorf("evidence.retention = %s, want %s", got, tc.want)
		}
	}
	if _, err := Parse([]byte(base+"evidence: {retention: 1h}\n"), env(nil)); err == nil || !strings.Contains(err.Error(), "evidence.retention") {
		t.Errorf("a retention of an hour: %v", err)
	}
}
