package testid

import (
	"fmt"
	"strings"
	"time"
)

// ValidCPR reports whether s is a Danish CPR number, DDMMYYSSSS or DDMMYY-SSSS, with a
// real birth date. The old modulus-11 check is not required: numbers issued since 2007
// may fail it.
func ValidCPR(s string) bool {
	_, err := CPRBirthdate(s)
	return err == nil
}

// CPRBirthdate returns the birth date in a CPR number, taking the century from the
// seventh digit and the year as the population register does.
func CPRBirthdate(s string) (time.Time, error) {
	s = strings.Replace(s, "-", "", 1)
	if len(s) != 10 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("cpr: want DDMMYY-SSSS")
	}
	day, month, yy := atoi2(s[0:2]), atoi2(s[2:4]), atoi2(s[4:6])
	year := danishCentury(int(s[6]-'0'), yy) + yy
	if !validDate(year, month, day) {
		return time.Time{}, fmt.Errorf("cpr: no such birth date")
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}

func danishCentury(seventh, yy int) int {
	switch {
	case seventh <= 3:
		return 1900
	case seventh == 4 || seventh == 9:
		if yy <= 36 {
			return 2000
		}
		return 1900
	default: // 5–8
		if yy <= 57 {
			return 2000
		}
		return 1800
	}
}

// CPR builds a CPR number (DDMMYYSSSS, no hyphen) for the birth date with the given
// last three serial digits; the seventh digit is chosen to encode the century.
func CPR(birth time.Time, serial int) string {
	seventh := 0
	switch y := birth.Year(); {
	case y >= 2000 && y <= 2036:
		seventh = 4
	case y >= 2037:
		seventh = 5
	case y < 1900:
		seventh = 5
	}
	return fmt.Sprintf("%02d%02d%02d%d%03d", birth.Day(), int(birth.Month()), birth.Year()%100, seventh, serial%1000)
}
