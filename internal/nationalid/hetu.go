package nationalid

import (
	"fmt"
	"time"
)

const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// hetuCentury is the century a HETU's sign stands for; the letters besides "-" and
// "A" exist since 2023 to make room for more numbers.
func hetuCentury(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

// validHETU: DDMMYYCZZZQ with a real date, a known century sign, an individual
// number from 002 (000 and 001 are never issued) and the right check character.
func validHETU(s string) bool {
	if _, err := hetuBirthdate(s); err != nil {
		return false
	}
	return atoi(s[7:10]) >= 2 && HETUCheckChar(s[0:6]+s[7:10]) == s[10]
}

// HETUCheckChar returns the check character for a HETU's date and individual
// number (nine digits).
func HETUCheckChar(nineDigits string) byte {
	if len(nineDigits) != 9 || !allDigits(nineDigits) {
		return 0
	}
	return hetuCheckChars[atoi(nineDigits)%31]
}

func hetuBirthdate(s string) (time.Time, error) {
	if len(s) != 11 || !allDigits(s[0:6]) || !allDigits(s[7:10]) {
		return time.Time{}, fmt.Errorf("hetu: want DDMMYYCZZZQ")
	}
	century, ok := hetuCentury(s[6])
	if !ok {
		return time.Time{}, fmt.Errorf("hetu: unknown century sign %q", s[6])
	}
	day, month, year := atoi2(s[0:2]), atoi2(s[2:4]), century+atoi2(s[4:6])
	if !validDate(year, month, day) {
		return time.Time{}, fmt.Errorf("hetu: no such birth date")
	}
	return date(year, month, day), nil
}
