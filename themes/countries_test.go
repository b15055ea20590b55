package themes

import (
	"slices"
	"testing"
)

func TestPreferredCountries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		uiLocales []string
		accept    string
		want      []string
	}{
		{"nothing known", nil, "", []string{"SE", "NO", "FI", "DK"}},
		{"Danish browser", nil, "da,en;q=0.8", []string{"DK", "SE", "NO", "FI"}},
		{"ui_locales before the browser", []string{"fi"}, "da", []string{"FI", "SE", "NO", "DK"}},
		{"region wins over language", []string{"sv-FI"}, "", []string{"FI", "SE", "NO", "DK"}},
		{"Nynorsk", nil, "nn-NO", []string{"NO", "SE", "FI", "DK"}},
		{"English in Denmark", nil, "en-DK", []string{"DK", "SE", "NO", "FI"}},
		{"first that names a country", []string{"de", "en"}, "fr, nb;q=0.5", []string{"NO", "SE", "FI", "DK"}},
		{"Swedish", []string{"sv"}, "", []string{"SE", "NO", "FI", "DK"}},
		{"by q-value", nil, "fi;q=0.3, da;q=0.9", []string{"DK", "SE", "NO", "FI"}},
		{"malformed", []string{"%%"}, ";;", []string{"SE", "NO", "FI", "DK"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := PreferredCountries(tc.uiLocales, tc.accept); !slices.Equal(got, tc.want) {
				t.Errorf("PreferredCountries(%q, %q) = %v, want %v", tc.uiLocales, tc.accept, got, tc.want)
			}
		})
	}
}
