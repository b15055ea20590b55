package testid

import (
	"fmt"
	"time"
)

const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// hetuCentury maps the century sign to the century; the letters besides "-" and "A"
// were added in 2023 to make room for more numbers.
var hetuCentury = map[byte]int{
	'+': 1800,
	'-': 1900, 'Y': 1900, 'X': 1900, 'W': 1900, 'V': 1900, 'U': 1900,
	'A': 2000, 'B': 2000, 'C': 2000, 'D': 2000, 'E': 2000, 'F': 2000,
}

// ValidHETU reports whether s is a Finnish henkilötunnus (DDMMYYCZZZQ): a real date,
// a known century sign, an individual number from 002 and the right check character.
func ValidHETU(s string) bool {
	if _, err := HETUBirthdate(s); err != nil {
		return false
	}
	if individual := atoi(s[7:10]); individual < 2 {
		return false
	}
	return hetuCheckChar(s[0:6]+s[7:10]) == s[10]
}

// HETUBirthdate returns the birth date in a HETU, without checking the check character.
func HETUBirthdate(s string) (time.Time, error) {
	if len(s) != 11 || !allDigits(s[0:6]) || !allDigits(s[7:10]) {
		return time.Time{}, fmt.Errorf("hetu: want DDMMYYCZZZQ")
	}
	century, ok := hetuCentury[s[6]]
	if !ok {
		return time.Time{}, fmt.Errorf("hetu: unknown century sign %q", s[6])
	}
	day, month, year := atoi2(s[0:2]), atoi2(s[2:4]), century+atoi2(s[4:6])
	if !validDate(year, month, day) {
		return time.Time{}, fmt.Errorf("hetu: no such birth date")
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}

// HETU builds a valid HETU for the birth date and individual number (002–899, where
// 900–999 are reserved for temporary numbers), with the plain century sign.
func HETU(birth time.Time, individual int) string {
	sign := "-"
	switch {
	case birth.Year() >= 2000:
		sign = "A"
	case birth.Year() < 1900:
		sign = "+"
	}
	date := fmt.Sprintf("%02d%02d%02d", birth.Day(), int(birth.Month()), birth.Year()%100)
	serial := fmt.Sprintf("%03d", individual%1000)
	return date + sign + serial + string(hetuCheckChar(date+serial))
}

func hetuCheckChar(nineDigits string) byte {
	return hetuCheckChars[atoi(nineDigits)%31]
}
