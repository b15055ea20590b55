package testid

import (
	"fmt"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
)

// Fodselsnummer builds a valid fødselsnummer for the birth date and individual number
// (000–999, matching the birth century), trying the next individual numbers when a
// check digit would be 10. It returns "" if none in range fits.
func Fodselsnummer(birth time.Time, individual int) string {
	for i := individual; i < 1000; i++ {
		body := fmt.Sprintf("%02d%02d%02d%03d", birth.Day(), int(birth.Month()), birth.Year()%100, i)
		if k1, k2, ok := nationalid.FodselsnummerCheckDigits(body); ok {
			return body + string(rune('0'+k1)) + string(rune('0'+k2))
		}
	}
	return ""
}
