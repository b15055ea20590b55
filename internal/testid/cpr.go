package testid

import (
	"fmt"
	"time"
)

// CPR builds a CPR number (DDMMYYSSSS, no hyphen) for the birth date with the given
// last three serial digits; the seventh digit is chosen to encode the century.
func CPR(birth time.Time, serial int) string {
	seventh := 0
	switch y := birth.Year(); {
	case y >= 2000 && y <= 2036:
		seventh = 4
	case y >= 2037:
		seventh = 5
	case y < 1900:
		seventh = 5
	}
	return fmt.Sprintf("%02d%02d%02d%d%03d", birth.Day(), int(birth.Month()), birth.Year()%100, seventh, serial%1000)
}
