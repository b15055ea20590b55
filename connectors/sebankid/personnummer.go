package sebankid

import (
	"fmt"
	"strings"
	"time"
)

// samordningsOffset is added to the day in a samordningsnummer (coordination number).
const samordningsOffset = 60

// validPersonnummer reports whether s is a 12-digit personnummer or samordningsnummer
// with a real date and a correct Luhn digit over the last ten digits.
func validPersonnummer(s string) bool {
	if _, err := personnummerBirthdate(s); err != nil {
		return false
	}
	sum := 0
	for i := 2; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// personnummerBirthdate returns the date of birth as YYYY-MM-DD.
func personnummerBirthdate(s string) (string, error) {
	if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Errorf("personnummer: want 12 digits")
	}
	year, month, day := num(s[0:4]), num(s[4:6]), num(s[6:8])
	if day > samordningsOffset {
		day -= samordningsOffset
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || day < 1 || t.Day() != day || int(t.Month()) != month {
		return "", fmt.Errorf("personnummer: no such birth date")
	}
	return t.Format(time.DateOnly), nil
}

func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// mask hides a national id in logs, keeping the last two digits so support can tell
// two people apart: 199001011234 → XXXXXXXX-XX34.
func mask(id string) string {
	if len(id) <= 2 {
		return strings.Repeat("X", len(id))
	}
	if len(id) == 12 {
		return "XXXXXXXX-XX" + id[10:]
	}
	return strings.Repeat("X", len(id)-2) + id[len(id)-2:]
}
