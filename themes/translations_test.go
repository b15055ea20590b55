package themes

import "testing"

// sameInEveryLanguage are the messages that are rightly the same as in English:
// proper names, and words the languages share.
var sameInEveryLanguage = map[string][]string{
	"app.name":   {"sv", "nb", "fi", "da"},
	"country.FI": {"sv", "nb", "da"},
	"demo.eid":   {"nb", "da"},
}

// TestEveryMessageIsTranslated fails on a message a language leaves empty or
// copies from English where English is not a proper name; loading the catalog
// already fails on a missing key.
func TestEveryMessageIsTranslated(t *testing.T) {
	english := readLocale(t, "en")
	for _, lang := range Languages() {
		if lang == defaultLanguage {
			continue
		}
		messages := readLocale(t, lang)
		for _, key := range englishKeys(t) {
			got, ok := messages[key]
			switch {
			case !ok:
				t.Errorf("%s: %s is missing", lang, key)
			case got == "":
				t.Errorf("%s: %s is empty", lang, key)
			case got == english[key] && !sharedWord(key, lang):
				t.Errorf("%s: %s is the English %q", lang, key, got)
			}
		}
		for key := range messages {
			if _, ok := english[key]; !ok {
				t.Errorf("%s: %s is not in English", lang, key)
			}
		}
	}
	for _, key := range englishKeys(t) {
		if english[key] == "" {
			t.Errorf("en: %s is empty", key)
		}
	}
}

func sharedWord(key, lang string) bool {
	for _, l := range sameInEveryLanguage[key] {
		if l == lang {
			return true
		}
	}
	return false
}
