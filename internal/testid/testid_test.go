package testid

import (
	"fmt"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
)

// The validators themselves are tested in internal/nationalid; these tests make sure
// every generator's output passes them, with the birth date it was asked for.

func TestGeneratorsProduceValidNumbers(t *testing.T) {
	births := []time.Time{
		time.Date(1950, 1, 31, 0, 0, 0, 0, time.UTC),
		time.Date(1978, 2, 28, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2005, 12, 1, 0, 0, 0, 0, time.UTC),
	}
	for _, birth := range births {
		for serial := 2; serial < 40; serial += 7 {
			assertValid(t, nationalid.SEPersonnummer, Personnummer(birth, serial), birth)
			individual := serial
			if birth.Year() >= 2000 {
				individual += 500
			}
			fnr := Fodselsnummer(birth, individual)
			assertValid(t, nationalid.NOFodselsnummer, fnr, birth)
			if nationalid.Valid(nationalid.NOFodselsnummer, fnr[:10]+string('0'+(fnr[10]-'0'+1)%10)) {
				t.Errorf("fødselsnummer %q with a changed second check digit is valid", fnr)
			}
			assertValid(t, nationalid.FIHETU, HETU(birth, serial), birth)
			assertValid(t, nationalid.DKCPR, CPR(birth, serial), birth)
		}
	}
}

func TestSamordningsnummer(t *testing.T) {
	p := Personnummer(time.Date(1970, 5, 3, 0, 0, 0, 0, time.UTC), 123)
	body := p[:6] + "63" + p[8:11]
	assertValid(t, nationalid.SEPersonnummer, body+string('0'+nationalid.LuhnDigit(body[2:])), time.Date(1970, 5, 3, 0, 0, 0, 0, time.UTC))
}

func TestFodselsnummerSeries(t *testing.T) {
	birth := time.Date(1985, 6, 15, 0, 0, 0, 0, time.UTC)
	for name, shift := range map[string]func(string) string{
		"d-number":  func(s string) string { return itoa2(atoi2(s[0:2])+40) + s[2:9] },
		"h-number":  func(s string) string { return s[0:2] + itoa2(atoi2(s[2:4])+40) + s[4:9] },
		"synthetic": func(s string) string { return s[0:2] + itoa2(atoi2(s[2:4])+80) + s[4:9] },
	} {
		t.Run(name, func(t *testing.T) {
			// Some individual numbers have no valid check digit; take the first that has.
			for individual := 100; individual < 200; individual++ {
				body := shift(Fodselsnummer(birth, individual))
				k1, k2, ok := nationalid.FodselsnummerCheckDigits(body)
				if !ok {
					continue
				}
				assertValid(t, nationalid.NOFodselsnummer, body+string(rune('0'+k1))+string(rune('0'+k2)), birth)
				return
			}
			t.Fatal("no valid number found")
		})
	}
}

func itoa2(n int) string { return fmt.Sprintf("%02d", n) }
func atoi2(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

func assertValid(t *testing.T, typ, id string, birth time.Time) {
	t.Helper()
	if !nationalid.Valid(typ, id) {
		t.Errorf("%s %q is not valid", typ, id)
	}
	got, err := nationalid.Birthdate(typ, id)
	if err != nil || !got.Equal(birth) {
		t.Errorf("Birthdate(%s, %q) = %v, %v; want %v", typ, id, got, err, birth)
	}
}
