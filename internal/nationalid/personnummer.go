package nationalid

import (
	"fmt"
	"strings"
	"time"
)

// samordningsOffset is added to the day of birth in a samordningsnummer (coordination
// number), which is otherwise built like a personnummer.
const samordningsOffset = 60

// validPersonnummer: 12 digits (YYYYMMDDNNNC), personnummer or samordningsnummer,
// with a real birth date and a correct Luhn digit over the last ten digits.
func validPersonnummer(s string) bool {
	if _, err := personnummerBirthdate(s); err != nil {
		return false
	}
	return LuhnDigit(s[2:11]) == s[11]-'0'
}

func personnummerBirthdate(s string) (time.Time, error) {
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
	return date(year, month, day), nil
}

// LuhnDigit returns the digit that completes digits under the Luhn algorithm,
// doubling every other digit starting with the first (as for YYMMDDNNN).
func LuhnDigit(digits string) byte {
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

// normalizePersonnummer turns the written forms (YYYYMMDD-NNNC, YYMMDD-NNNC,
// YYMMDD+NNNC for people of 100 or more, YYMMDDNNNC) into twelve digits. A
// ten-digit form takes the latest century that puts the birth date in the past, as
// the tax agency does; "+" moves it back another hundred years.
func normalizePersonnummer(s string, now time.Time) string {
	hundred := false
	if i := strings.IndexAny(s, "-+"); i == len(s)-5 {
		hundred = s[i] == '+'
		s = s[:i] + s[i+1:]
	}
	if len(s) != 10 || !allDigits(s) {
		return s
	}
	yy := atoi2(s[0:2])
	year := now.Year() - now.Year()%100 + yy
	if year > now.Year() || year == now.Year() && s[2:6] > now.Format("0102") {
		year -= 100
	}
	if hundred {
		year -= 100
	}
	return fmt.Sprintf("%02d", year/100) + s
}
