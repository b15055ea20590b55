package testid

import (
	"fmt"
	"time"
)

// samordningsOffset is added to the day of birth in a samordningsnummer (coordination
// number), which is otherwise built like a personnummer.
const samordningsOffset = 60

// ValidPersonnummer reports whether s is a 12-digit Swedish personnummer
// (YYYYMMDDNNNC) or samordningsnummer (day + 60) with a real birth date and a correct
// Luhn check digit over the last ten digits.
func ValidPersonnummer(s string) bool {
	if len(s) != 12 || !allDigits(s) {
		return false
	}
	if _, err := PersonnummerBirthdate(s); err != nil {
		return false
	}
	return luhnCheckDigit(s[2:11]) == s[11]-'0'
}

// PersonnummerBirthdate returns the birth date encoded in a 12-digit personnummer or
// samordningsnummer, without checking the check digit.
func PersonnummerBirthdate(s string) (time.Time, error) {
	if len(s) != 12 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("personnummer: want 12 digits, got %d characters", len(s))
	}
	year, month, day := atoi(s[0:4]), atoi2(s[4:6]), atoi2(s[6:8])
	if day > samordningsOffset {
		day -= samordningsOffset
	}
	if !validDate(year, month, day) {
		return time.Time{}, fmt.Errorf("personnummer: no such birth date")
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}

// Personnummer builds a valid 12-digit personnummer for the birth date and the
// three-digit serial (0–999); an odd serial's last digit means male, even female.
func Personnummer(birth time.Time, serial int) string {
	body := fmt.Sprintf("%04d%02d%02d%03d", birth.Year(), int(birth.Month()), birth.Day(), serial%1000)
	return body + string('0'+luhnCheckDigit(body[2:]))
}

// luhnCheckDigit returns the digit that completes digits under the Luhn algorithm,
// doubling every other digit starting with the first (as for YYMMDDNNN).
func luhnCheckDigit(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte((10 - sum%10) % 10)
}
