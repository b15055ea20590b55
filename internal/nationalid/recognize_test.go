package nationalid_test

import (
	"errors"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/testid"
)

func TestRecognize(t *testing.T) {
	birth := time.Date(1985, 7, 23, 0, 0, 0, 0, time.UTC)
	pnr, fnr, hetu, cpr := testid.Personnummer(birth, 239), testid.Fodselsnummer(birth, 124), testid.HETU(birth, 912), testid.CPR(birth, 4321)
	tests := []struct {
		name, in, country, typ, want string
	}{
		{"personnummer", pnr, "", nationalid.SEPersonnummer, pnr},
		{"personnummer with a dash", pnr[2:8] + "-" + pnr[8:], "SE", nationalid.SEPersonnummer, pnr},
		{"fødselsnummer", fnr, "", nationalid.NOFodselsnummer, fnr},
		{"hetu in lower case", lower(hetu), "", nationalid.FIHETU, hetu},
		{"cpr with a dash", cpr[:6] + "-" + cpr[6:], "DK", nationalid.DKCPR, cpr},
		{"wrong check digit", pnr[:11] + string('0'+(pnr[11]-'0'+1)%10), "", "", ""},
		{"country that does not fit", fnr, "SE", "", ""},
		{"unknown country", pnr, "XX", "", ""},
		{"text", "hello", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, got, err := nationalid.Recognize(tt.in, tt.country)
			if tt.typ == "" {
				if !errors.Is(err, nationalid.ErrInvalid) {
					t.Errorf("nationalid.Recognize(%q) = %s %s, %v; want nationalid.ErrInvalid", tt.in, typ, got, err)
				}
				return
			}
			if err != nil || typ != tt.typ || got != tt.want {
				t.Errorf("nationalid.Recognize(%q, %q) = %s %s, %v; want %s %s", tt.in, tt.country, typ, got, err, tt.typ, tt.want)
			}
		})
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}
