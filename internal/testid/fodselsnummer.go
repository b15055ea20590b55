package testid

import (
	"fmt"
	"strconv"
	"time"
)

// Norwegian numbers shift the day or month to mark special series: D-numbers add 40
// to the day, H-numbers 40 to the month, and synthetic test numbers (as issued for
// test environments) 80 to the month.
const (
	dNumberDayOffset        = 40
	hNumberMonthOffset      = 40
	syntheticMonthOffset    = 80
	fodselsnummerFirstK1Sum = 11
)

var (
	fodselsnummerWeights1 = []int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	fodselsnummerWeights2 = []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// ValidFodselsnummer reports whether s is an 11-digit Norwegian fødselsnummer
// (DDMMYYIIIKK), D-number, H-number or synthetic test number with a real date and
// both mod-11 check digits correct.
func ValidFodselsnummer(s string) bool {
	if len(s) != 11 || !allDigits(s) {
		return false
	}
	if _, err := FodselsnummerBirthdate(s); err != nil {
		return false
	}
	k1, ok := mod11(s[:9], fodselsnummerWeights1)
	if !ok || k1 != int(s[9]-'0') {
		return false
	}
	k2, ok := mod11(s[:10], fodselsnummerWeights2)
	return ok && k2 == int(s[10]-'0')
}

// FodselsnummerBirthdate returns the birth date in an 11-digit fødselsnummer, using
// the individual number to pick the century.
func FodselsnummerBirthdate(s string) (time.Time, error) {
	if len(s) != 11 || !allDigits(s) {
		return time.Time{}, fmt.Errorf("fødselsnummer: want 11 digits")
	}
	day, month, yy, individual := atoi2(s[0:2]), atoi2(s[2:4]), atoi2(s[4:6]), atoi(s[6:9])
	if day > dNumberDayOffset {
		day -= dNumberDayOffset
	}
	switch {
	case month > syntheticMonthOffset:
		month -= syntheticMonthOffset
	case month > hNumberMonthOffset:
		month -= hNumberMonthOffset
	}
	year := norwegianCentury(yy, individual) + yy
	if !validDate(year, month, day) {
		return time.Time{}, fmt.Errorf("fødselsnummer: no such birth date")
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}

// norwegianCentury follows the individual-number ranges of the population register.
func norwegianCentury(yy, individual int) int {
	switch {
	case individual <= 499:
		return 1900
	case individual <= 749 && yy >= 54:
		return 1800
	case individual >= 900 && yy >= 40:
		return 1900
	default:
		return 2000
	}
}

// Fodselsnummer builds a valid fødselsnummer for the birth date and individual number
// (000–999, matching the birth century), trying the next individual numbers when a
// check digit would be 10. It returns "" if none in range fits.
func Fodselsnummer(birth time.Time, individual int) string {
	for i := individual; i < 1000; i++ {
		body := fmt.Sprintf("%02d%02d%02d%03d", birth.Day(), int(birth.Month()), birth.Year()%100, i)
		k1, ok := mod11(body, fodselsnummerWeights1)
		if !ok {
			continue
		}
		body += strconv.Itoa(k1)
		k2, ok := mod11(body, fodselsnummerWeights2)
		if !ok {
			continue
		}
		return body + strconv.Itoa(k2)
	}
	return ""
}

// mod11 computes a Norwegian check digit; ok is false when the digit would be 10,
// which makes the number invalid.
func mod11(digits string, weights []int) (int, bool) {
	sum := 0
	for i := range weights {
		sum += int(digits[i]-'0') * weights[i]
	}
	k := fodselsnummerFirstK1Sum - sum%11
	switch k {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return k, true
}
