package console

import (
	"net/http"
	"testing"
)

// TestCookies: under https a console's cookies are __Host- (Secure, host-only,
// whole path); on plain http, where browsers refuse the prefix, they are
// scoped to the console. Always HttpOnly and Lax, never readable by script.
func TestCookies(t *testing.T) {
	for _, tc := range []struct {
		base, name, path string
		secure           bool
	}{
		{"https://login.example/agent", "__Host-pv_agent_session", "/", true},
		{"http://127.0.0.1:8080/admin", "pv_admin_session", "/admin/", false},
	} {
		name := "agent"
		if tc.path == "/admin/" {
			name = "admin"
		}
		s := New(Options{Issuer: "x", Base: tc.base, Name: name})
		c := s.cookie(sessionCookie, "v", 60)
		if c.Name != tc.name || c.Path != tc.path || c.Secure != tc.secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Domain != "" {
			t.Errorf("%s: %+v", tc.base, c)
		}
	}
}
