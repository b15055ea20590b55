package nationalid

import (
	"errors"
	"fmt"
	"time"
)

// National id types, as carried in an Identity's national id type.
const (
	SEPersonnummer  = "se-personnummer"
	NOFodselsnummer = "no-fodselsnummer"
	FIHETU          = "fi-hetu"
	DKCPR           = "dk-cpr"
)

// Valid reports whether s is a national id of type typ in its normal form, with a
// real birth date and correct check digits.
func Valid(typ, s string) bool {
	switch typ {
	case SEPersonnummer:
		return validPersonnummer(s)
	case NOFodselsnummer:
		return validFodselsnummer(s)
	case FIHETU:
		return validHETU(s)
	case DKCPR:
		return validCPR(s)
	}
	return false
}

// Birthdate returns the birth date encoded in s, without checking its check digits.
func Birthdate(typ, s string) (time.Time, error) {
	switch typ {
	case SEPersonnummer:
		return personnummerBirthdate(s)
	case NOFodselsnummer:
		return fodselsnummerBirthdate(s)
	case FIHETU:
		return hetuBirthdate(s)
	case DKCPR:
		return cprBirthdate(s)
	}
	return time.Time{}, fmt.Errorf("national id type %q is unknown", typ)
}

// Normalize returns s in the form the broker stores and releases (a 12-digit
// personnummer, a CPR without its dash, an upper-case HETU), or an error when s is
// not a valid id of type typ.
func Normalize(typ, s string) (string, error) {
	return normalizeAt(typ, s, time.Now())
}

func normalizeAt(typ, s string, now time.Time) (string, error) {
	n := s
	switch typ {
	case SEPersonnummer:
		n = normalizePersonnummer(s, now)
	case FIHETU:
		n = upperASCII(s)
	case DKCPR:
		n = stripCPRDash(s)
	}
	if !Valid(typ, n) {
		return "", fmt.Errorf("%s %s: %w", typ, Mask(s), ErrInvalid)
	}
	return n, nil
}

// ErrInvalid is returned for a national id that fails its form, date or check digits.
var ErrInvalid = errors.New("not a valid national id")
