package testid

import (
	"fmt"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
)

// Personnummer builds a valid 12-digit personnummer for the birth date and the
// three-digit serial (0–999); an odd serial's last digit means male, even female.
func Personnummer(birth time.Time, serial int) string {
	body := fmt.Sprintf("%04d%02d%02d%03d", birth.Year(), int(birth.Month()), birth.Day(), serial%1000)
	return body + string('0'+nationalid.LuhnDigit(body[2:]))
}
