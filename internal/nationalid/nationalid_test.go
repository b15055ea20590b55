package nationalid_test

import (
	"errors"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/testid"
)

func TestValid(t *testing.T) {
	tests := []struct {
		name, typ, in string
		want          bool
	}{
		{"personnummer", nationalid.SEPersonnummer, "198112189876", true},
		{"personnummer 2", nationalid.SEPersonnummer, "198507232398", true},
		{"samordningsnummer", nationalid.SEPersonnummer, "197704652390", true},
		{"personnummer wrong check digit", nationalid.SEPersonnummer, "198112189875", false},
		{"personnummer ten digits", nationalid.SEPersonnummer, "8112189876", false},
		{"personnummer hyphen", nationalid.SEPersonnummer, "19811218-9876", false},
		{"personnummer 30 February", nationalid.SEPersonnummer, "198502302397", false},
		{"samordningsnummer no such day", nationalid.SEPersonnummer, "197704922394", false},
		{"personnummer letters", nationalid.SEPersonnummer, "19811218987X", false},
		{"personnummer dash, short", nationalid.SEPersonnummer, "19850723-239", false},

		{"fodselsnummer", nationalid.NOFodselsnummer, testid.Fodselsnummer(date(1985, 6, 15), 123), true},
		{"d-number", nationalid.NOFodselsnummer, "41018036736", true},
		{"fodselsnummer wrong length", nationalid.NOFodselsnummer, "0101075016", false},
		{"fodselsnummer wrong second check digit", nationalid.NOFodselsnummer, bump(testid.Fodselsnummer(date(1985, 6, 15), 123), 10), false},
		{"fodselsnummer wrong first check digit", nationalid.NOFodselsnummer, bump(testid.Fodselsnummer(date(1985, 6, 15), 123), 9), false},
		{"fodselsnummer check digits right, no such date", nationalid.NOFodselsnummer, "31029910017", false},

		{"hetu", nationalid.FIHETU, "131052-308T", true},
		{"hetu 2000s", nationalid.FIHETU, "090903A934Y", true},
		{"hetu new century sign", nationalid.FIHETU, "131052Y308T", true},
		{"hetu 1800s", nationalid.FIHETU, "010150+912S", true},
		{"hetu wrong check", nationalid.FIHETU, "131052-308U", false},
		{"hetu unknown century sign", nationalid.FIHETU, "131052Z308T", false},
		{"hetu no such date", nationalid.FIHETU, "310280-912B", false},
		{"hetu short", nationalid.FIHETU, "150280-912", false},
		{"hetu individual 001", nationalid.FIHETU, testid.HETU(date(1990, 1, 1), 1), false},
		{"hetu lower case", nationalid.FIHETU, "131052-308t", false},

		{"cpr", nationalid.DKCPR, "0707614285", true},
		{"cpr 2000s", nationalid.DKCPR, testid.CPR(date(2004, 2, 29), 17), true},
		{"cpr with hyphen is not the normal form", nationalid.DKCPR, "070761-4285", false},
		{"cpr no such date", nationalid.DKCPR, "3102614285", false},
		{"cpr letters", nationalid.DKCPR, "07076142A5", false},

		{"unknown type", "xx-id", "198112189876", false},
		{"type mismatch", nationalid.FIHETU, "198112189876", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := nationalid.Valid(tt.typ, tt.in); got != tt.want {
				t.Errorf("Valid(%s, %q) = %v, want %v", tt.typ, tt.in, got, tt.want)
			}
		})
	}
}

func TestBirthdate(t *testing.T) {
	tests := []struct {
		typ, in string
		want    time.Time
	}{
		{nationalid.SEPersonnummer, "198507232398", date(1985, 7, 23)},
		{nationalid.SEPersonnummer, "197704652390", date(1977, 4, 5)},
		{nationalid.SEPersonnummer, "198507232399", date(1985, 7, 23)}, // the date, not the check digit
		{nationalid.NOFodselsnummer, "41018036736", date(1980, 1, 1)},
		{nationalid.FIHETU, "150280-912B", date(1980, 2, 15)},
		{nationalid.FIHETU, "010150+912S", date(1850, 1, 1)},
		{nationalid.FIHETU, "090903A934Y", date(2003, 9, 9)},
		{nationalid.DKCPR, "0707614285", date(1961, 7, 7)},
		{nationalid.DKCPR, "070761-4285", date(1961, 7, 7)},
	}
	for _, tt := range tests {
		got, err := nationalid.Birthdate(tt.typ, tt.in)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("Birthdate(%s, %q) = %v, %v; want %v", tt.typ, tt.in, got, err, tt.want)
		}
	}
	if _, err := nationalid.Birthdate("xx-id", "198507232398"); err == nil {
		t.Error("Birthdate of an unknown type: no error")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		typ, in, want string
	}{
		{nationalid.SEPersonnummer, "198507232398", "198507232398"},
		{nationalid.SEPersonnummer, "19850723-2398", "198507232398"},
		{nationalid.SEPersonnummer, "850723-2398", "198507232398"},
		{nationalid.SEPersonnummer, "8507232398", "198507232398"},
		{nationalid.SEPersonnummer, "120101+0004", "191201010004"},
		{nationalid.FIHETU, "131052-308t", "131052-308T"},
		{nationalid.DKCPR, "070761-4285", "0707614285"},
		{nationalid.NOFodselsnummer, "41018036736", "41018036736"},
	}
	for _, tt := range tests {
		got, err := nationalid.Normalize(tt.typ, tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%s, %q) = %q, %v; want %q", tt.typ, tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []struct{ typ, in string }{
		{nationalid.SEPersonnummer, "850723-2399"},
		{nationalid.SEPersonnummer, "85-07232398"},
		{nationalid.DKCPR, "0707-614285"},
		{nationalid.NOFodselsnummer, "410180 36736"},
		{"xx-id", "198507232398"},
	} {
		got, err := nationalid.Normalize(bad.typ, bad.in)
		if !errors.Is(err, nationalid.ErrInvalid) {
			t.Errorf("Normalize(%s, %q) = %q, %v; want ErrInvalid", bad.typ, bad.in, got, err)
		}
	}
}

func TestGeneratedIDsAreValid(t *testing.T) {
	for _, birth := range []time.Time{date(1950, 1, 31), date(1978, 2, 28), date(2000, 2, 29), date(2005, 12, 1)} {
		for serial := 2; serial < 40; serial += 7 {
			individual := serial
			if birth.Year() >= 2000 {
				individual += 500
			}
			for typ, id := range map[string]string{
				nationalid.SEPersonnummer:  testid.Personnummer(birth, serial),
				nationalid.NOFodselsnummer: testid.Fodselsnummer(birth, individual),
				nationalid.FIHETU:          testid.HETU(birth, serial),
				nationalid.DKCPR:           testid.CPR(birth, serial),
			} {
				if !nationalid.Valid(typ, id) {
					t.Errorf("%s %q is not valid", typ, id)
				}
				if got, err := nationalid.Birthdate(typ, id); err != nil || !got.Equal(birth) {
					t.Errorf("Birthdate(%s, %q) = %v, %v; want %v", typ, id, got, err, birth)
				}
			}
		}
	}
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// bump changes the digit at i, so a check digit no longer fits.
func bump(s string, i int) string {
	return s[:i] + string(rune('0'+(s[i]-'0'+1)%10)) + s[i+1:]
}
