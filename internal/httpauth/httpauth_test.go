package httpauth

import "testing"

func TestCredentials(t *testing.T) {
	for _, tc := range []struct {
		header, scheme, want string
		ok                   bool
	}{
		{"Bearer abc", "Bearer", "abc", true},
		{"bearer abc", "Bearer", "abc", true},
		{"BEARER  abc ", "Bearer", "abc", true},
		{"DPoP abc", "dpop", "abc", true},
		{"Basic abc", "Bearer", "", false},
		{"Bearer", "Bearer", "", false},
		{"Bearer ", "Bearer", "", false},
		{"Bearerabc", "Bearer", "", false},
		{"", "Bearer", "", false},
	} {
		got, ok := Credentials(tc.header, tc.scheme)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Credentials(%q, %q) = %q, %v; want %q, %v", tc.header, tc.scheme, got, ok, tc.want, tc.ok)
		}
	}
}
