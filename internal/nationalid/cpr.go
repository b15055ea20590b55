package nationalid

import (
	"fmt"

	"time"
)

// validCPR: ten digits (DDMMYYSSSS) with a real birth date. The old modulus-11
// check is not required: numbers issued since 2007 may fail it. The dashed form is
// written, not stored; Normalize removes the dash.
func validCPR(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := cprBirthdate(s)
	return err == nil
}

// cprBirthdate takes the century from the seventh digit and the year, as the
// population register does. It accepts the dashed form.
func cprBirthdate(s string) (time.Time, error) {
	s = stripCPRDash(s)
	if len(s) != 10 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("cpr: want DDMMYY-SSSS")
	}
	day, month, yy := atoi2(s[0:2]), atoi2(s[2:4]), atoi2(s[4:6])
	year := danishCentury(int(s[6]-'0'), yy) + yy
	if !validDate(year, month, day) {
		return time.Time{}, fmt.Errorf("cpr: no such birth date")
	}
	return date(year, month, day), nil
}

func stripCPRDash(s string) string {
	if len(s) == 11 && s[6] == '-' {
		return s[:6] + s[7:]
	}
	return s
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
