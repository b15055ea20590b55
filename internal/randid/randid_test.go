package randid

import (
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"testing"
)

func TestShapes(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		name  string
		make  func() string
		valid func(string) bool
	}{
		{"New", New, func(s string) bool {
			b, err := base64.RawURLEncoding.DecodeString(s)
			return err == nil && len(b) == 16
		}},
		{"String(32)", func() string { return String(32) }, func(s string) bool {
			b, err := base64.RawURLEncoding.DecodeString(s)
			return err == nil && len(b) == 32
		}},
		{"Hex(16)", func() string { return Hex(16) }, func(s string) bool { b, err := hex.DecodeString(s); return err == nil && len(b) == 16 }},
		{"UUID", UUID, uuid.MatchString},
		{"FormatUUID", func() string { return FormatUUID([16]byte{}) }, func(s string) bool { return s == "00000000-0000-4000-8000-000000000000" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tt.make(), tt.make()
			if !tt.valid(a) || !tt.valid(b) {
				t.Errorf("%q or %q has the wrong shape", a, b)
			}
			if tt.name != "FormatUUID" && a == b {
				t.Errorf("two calls gave %q", a)
			}
		})
	}
}
