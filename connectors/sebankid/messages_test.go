package sebankid_test

import (
	"testing"

	"github.com/portvakt/portvakt/connectors/sebankid"
)

func TestMessagesInEveryLanguage(t *testing.T) {
	want := []string{"RFA1", "RFA2", "RFA3", "RFA4", "RFA5", "RFA6", "RFA8", "RFA9", "RFA13",
		"RFA15A", "RFA15B", "RFA16", "RFA17A", "RFA17B", "RFA19", "RFA20", "RFA21", "RFA22", "RFA23"}
	ids := sebankid.MessageIDs()
	if len(ids) != len(want) {
		t.Fatalf("MessageIDs = %v, want %v", ids, want)
	}
	c := &sebankid.Connector{}
	for _, id := range want {
		seen := map[string]string{}
		for _, lang := range []string{"sv", "en", "nb", "fi", "da"} {
			text := c.Message(lang, id)
			if text == "" {
				t.Errorf("%s has no %s text", id, lang)
			}
			if other, dup := seen[text]; dup && !(lang == "da" && other == "nb" && id == "RFA1") {
				t.Errorf("%s: %s text equals the %s text %q", id, lang, other, text)
			}
			seen[text] = lang
		}
		if got := c.Message("de", id); got != c.Message("en", id) {
			t.Errorf("%s in German = %q, want the English fallback", id, got)
		}
	}
	if got := c.Message("sv", "RFA7"); got != "" {
		t.Errorf("unknown id gave %q", got)
	}
}

func TestMessageTyposFixed(t *testing.T) {
	tests := []struct{ lang, id, want string }{
		{"sv", "RFA9", "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."},
		{"sv", "RFA15B", "Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten."},
		{"en", "RFA23", "Take a photo of, and scan, your ID document with the BankID app."},
		{"en", "RFA3", "The action was cancelled. Please try again."},
	}
	for _, tt := range tests {
		if got := sebankid.Message(tt.lang, tt.id); got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}
