package fiftn

import "testing"

func TestHETU(t *testing.T) {
	tests := []struct {
		hetu      string
		valid     bool
		birthdate string
	}{
		{"150280-912B", true, "1980-02-15"},
		{"090903A934Y", true, "2003-09-09"},
		{"241255Y9577", true, "1955-12-24"},
		{"010150+912S", true, "1850-01-01"},
		{"150280-912C", false, "1980-02-15"},
		{"310280-912B", false, ""},
		{"150280Q912B", false, ""},
		{"150280-912", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.hetu, func(t *testing.T) {
			if got := validHETU(tt.hetu); got != tt.valid {
				t.Errorf("validHETU = %v, want %v", got, tt.valid)
			}
			if got := hetuBirthdate(tt.hetu); got != tt.birthdate {
				t.Errorf("hetuBirthdate = %q, want %q", got, tt.birthdate)
			}
		})
	}
}
