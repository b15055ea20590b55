package access

import "testing"

func TestCan(t *testing.T) {
	p := Principal{Actor: "client:tool", Roles: []string{"auditor"}}
	for _, tc := range []struct {
		roles []string
		want  bool
	}{
		{[]string{"auditor"}, true},
		{[]string{"admin"}, false},
		{[]string{"admin", "auditor"}, true},
		{nil, false},
	} {
		if got := p.CanAny(tc.roles...); got != tc.want {
			t.Errorf("CanAny(%v) = %v, want %v", tc.roles, got, tc.want)
		}
	}
	if !p.Can("auditor") || p.Can("admin") || (Principal{}).Can("") {
		t.Error("Can does not follow the roles")
	}
}
