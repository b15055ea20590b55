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

// rules are what differs between the types.
type rules struct {
	valid     func(string) bool
	birthdate func(string) (time.Time, error)
	// normal turns a written form into the stored one; it need not check it.
	normal func(s string, now time.Time) string
}

func rulesOf(typ string) (rules, bool) {
	same := func(s string, _ time.Time) string { return s }
	switch typ {
	case SEPersonnummer:
		return rules{validPersonnummer, personnummerBirthdate, normalizePersonnummer}, true
	case NOFodselsnummer:
		return rules{validFodselsnummer, fodselsnummerBirthdate, same}, true
	case FIHETU:
		return rules{validHETU, hetuBirthdate, func(s string, _ time.Time) string { return upperASCII(s) }}, true
	case DKCPR:
		return rules{validCPR, cprBirthdate, func(s string, _ time.Time) string { return stripCPRDash(s) }}, true
	}
	return rules{}, false
}

// Valid reports whether s is a national id of type typ in its normal form, with a
// real birth date and correct check digits.
func Valid(typ, s string) bool {
	r, ok := rulesOf(typ)
	return ok && r.valid(s)
}

// Birthdate returns the birth date encoded in s, without checking its check digits.
func Birthdate(typ, s string) (time.Time, error) {
	r, ok := rulesOf(typ)
	if !ok {
		return time.Time{}, fmt.Errorf("national id type %q is unknown", typ)
	}
	return r.birthdate(s)
}

// Normalize returns s in the form the broker stores and releases (a 12-digit
// personnummer, a CPR without its dash, an upper-case HETU), or an error when s is
// not a valid id of type typ.
func Normalize(typ, s string) (string, error) {
	return normalizeAt(typ, s, time.Now())
}

func normalizeAt(typ, s string, now time.Time) (string, error) {
	r, ok := rulesOf(typ)
	if !ok {
		return "", fmt.Errorf("national id type %q is unknown: %w", typ, ErrInvalid)
	}
	if n := r.normal(s, now); r.valid(n) {
		return n, nil
	}
	return "", fmt.Errorf("%s %s: %w", typ, Mask(s), ErrInvalid)
}

// ErrInvalid is returned for a national id that fails its form, date or check digits.
var ErrInvalid = errors.New("not a valid national id")
