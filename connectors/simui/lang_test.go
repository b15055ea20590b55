package simui

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestLanguage checks the order in which a simulator page picks its language:
// the person's choice, then the request's ui_locales, then the browser's.
func TestLanguage(t *testing.T) {
	cases := []struct {
		name, query, cookie, accept string
		hints                       []string
		want                        string
	}{
		{"nothing", "", "", "", nil, "en"},
		{"browser", "", "", "de;q=1, da;q=0.8", nil, "da"},
		{"browser Nynorsk", "", "", "nn-NO", nil, "nb"},
		{"ui_locales over browser", "", "", "da", []string{"fi sv"}, "fi"},
		{"ui_locales list skips unknown", "", "", "", []string{"de nb"}, "nb"},
		{"second hint", "", "", "", []string{"", "da"}, "da"},
		{"Norwegian", "", "", "", []string{"no"}, "nb"},
		{"regional", "", "", "", []string{"sv-FI"}, "sv"},
		{"choice over ui_locales", "lang=sv", "", "", []string{"da"}, "sv"},
		{"remembered choice", "", "fi", "", []string{"da"}, "fi"},
		{"unknown choice ignored", "lang=xx", "", "", []string{"da"}, "da"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/sim/x/?"+c.query, nil)
			if c.accept != "" {
				r.Header.Set("Accept-Language", c.accept)
			}
			if c.cookie != "" {
				r.AddCookie(&http.Cookie{Name: langCookie, Value: c.cookie})
			}
			w := httptest.NewRecorder()
			if got := Language(w, r, "/sim/", c.hints...); got != c.want {
				t.Errorf("Language = %q, want %q", got, c.want)
			}
		})
	}
}

// TestCatalogComplete checks every language has every message English has and
// that no translation is left in English.
func TestCatalogComplete(t *testing.T) {
	if _, err := loadCatalog(); err != nil {
		t.Fatal(err)
	}
	english := Messages("en")
	for _, lang := range []string{"sv", "nb", "fi", "da"} {
		for id, msg := range Messages(lang) {
			if msg == english[id] && !sameInEveryLanguage[id] {
				t.Errorf("%s: %s is the English text %q", lang, id, msg)
			}
		}
	}
}

// sameInEveryLanguage are messages that are proper names or the same word in a
// language and in English.
var sameInEveryLanguage = map[string]bool{
	"sim.badge": true, "eid.dk-mitid": true, "bankid.title": true, "bankid.scan": true,
	"eid.freja": true, "freja.title": true, "freja.scan": true,
}
