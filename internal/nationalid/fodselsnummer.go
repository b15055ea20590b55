package nationalid

import (
	"fmt"
	"time"
)

// Norwegian numbers shift the day or month to mark special series: D-numbers add 40
// to the day, H-numbers 40 to the month, and synthetic test numbers (as issued for
// test environments) 80 to the month.
const (
	dNumberDayOffset     = 40
	hNumberMonthOffset   = 40
	syntheticMonthOffset = 80
)

var (
	fodselsnummerWeights1 = []int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	fodselsnummerWeights2 = []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// validFodselsnummer: 11 digits (DDMMYYIIIKK), fødselsnummer, D-number, H-number
// or synthetic test number, with a real date and both mod-11 check digits right.
func validFodselsnummer(s string) bool {
	if _, err := fodselsnummerBirthdate(s); err != nil {
		return false
	}
	k1, k2, ok := FodselsnummerCheckDigits(s[:9])
	return ok && k1 == s[9]-'0' && k2 == s[10]-'0'
}

// FodselsnummerCheckDigits returns the two check digits for the first nine digits
// of a fødselsnummer; ok is false when one of them would be 10, which no issued
// number has.
func FodselsnummerCheckDigits(nine string) (k1, k2 byte, ok bool) {
	if len(nine) != 9 || !allDigits(nine) {
		return 0, 0, false
	}
	k1, ok = mod11(nine, fodselsnummerWeights1)
	if !ok {
		return 0, 0, false
	}
	k2, ok = mod11(nine+string(rune('0'+k1)), fodselsnummerWeights2)
	return k1, k2, ok
}

func fodselsnummerBirthdate(s string) (time.Time, error) {
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
	return date(year, month, day), nil
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

func mod11(digits string, weights []int) (byte, bool) {
	sum := 0
	for i := range weights {
		sum += int(digits[i]-'0') * weights[i]
	}
	switch k := 11 - sum%11; k {
	case 11:
		return 0, true
	case 10:
		return 0, false
	default:
		return byte(k), true
	}
}
