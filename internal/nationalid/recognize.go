package nationalid

import (
	"fmt"
	"strings"
	"time"
)

// Recognize finds the type of a written national id by its shape (twelve or ten
// digits with an optional dash or plus: a personnummer; eleven digits: a
// fødselsnummer; six digits, a century sign and four characters: a HETU; ten
// digits or six, a dash and four: a CPR) and returns it normalised. A ten-digit
// number that is a valid personnummer and a valid CPR is ambiguous; country,
// when given (SE, NO, FI, DK), decides.
func Recognize(s, country string) (typ, normal string, err error) {
	s = strings.TrimSpace(s)
	candidates := []string{SEPersonnummer, NOFodselsnummer, FIHETU, DKCPR}
	if country != "" {
		t, ok := TypeOfCountry(country)
		if !ok {
			return "", "", fmt.Errorf("country %q has no national id here: %w", country, ErrInvalid)
		}
		candidates = []string{t}
	}
	var found []string
	for _, t := range candidates {
		r, _ := rulesOf(t)
		if n := r.normal(s, time.Now()); r.valid(n) {
			typ, normal = t, n
			found = append(found, t)
		}
	}
	switch len(found) {
	case 0:
		return "", "", fmt.Errorf("%s: %w", Mask(s), ErrInvalid)
	case 1:
		return typ, normal, nil
	}
	return "", "", fmt.Errorf("%s is valid as %s: name the country: %w", Mask(s), strings.Join(found, " and "), ErrInvalid)
}

// TypeOfCountry is the national id type of a country (ISO 3166-1 alpha-2).
func TypeOfCountry(country string) (string, bool) {
	switch strings.ToUpper(country) {
	case "SE":
		return SEPersonnummer, true
	case "NO":
		return NOFodselsnummer, true
	case "FI":
		return FIHETU, true
	case "DK":
		return DKCPR, true
	}
	return "", false
}
