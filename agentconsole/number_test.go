package agentconsole

import (
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testid"
)

func TestCheckNumber(t *testing.T) {
	birth := time.Date(1985, 7, 23, 0, 0, 0, 0, time.UTC)
	pnr, fnr, hetu, cpr := testid.Personnummer(birth, 239), testid.Fodselsnummer(birth, 124), testid.HETU(birth, 912), testid.CPR(birth, 4321)
	wrong := func(s string) string { return s[:len(s)-1] + string('0'+(s[len(s)-1]-'0'+1)%10) }
	tests := []struct {
		name, country, typed, problem, normal string
	}{
		{"personnummer", "SE", pnr, numberOK, pnr},
		{"personnummer, short form", "SE", pnr[2:8] + "-" + pnr[8:], numberOK, pnr},
		{"personnummer being typed", "SE", pnr[:7], numberIncomplete, ""},
		{"personnummer, wrong check digit", "SE", wrong(pnr), numberCheckDigits, ""},
		{"letters in a personnummer", "SE", "19850723-23X8", numberFormat, ""},
		{"fødselsnummer", "NO", fnr, numberOK, fnr},
		{"fødselsnummer, wrong check digit", "NO", wrong(fnr), numberCheckDigits, ""},
		{"hetu", "FI", hetu, numberOK, hetu},
		{"cpr with a dash", "DK", cpr[:6] + "-" + cpr[6:], numberOK, cpr},
		{"a Swedish number as Danish", "DK", pnr, numberFormat, ""},
		{"unknown country", "XX", pnr, numberFormat, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			normal, problem := checkNumber(tt.country, tt.typed)
			if problem != tt.problem || normal != tt.normal {
				t.Errorf("checkNumber(%s, %q) = %q, %s; want %q, %s", tt.country, tt.typed, normal, problem, tt.normal, tt.problem)
			}
		})
	}
	if got := loginHint("NO", fnr); got != "no-nnin:"+fnr {
		t.Errorf("login hint %q", got)
	}
}
