package testid

import (
	"fmt"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
)

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
	return date + sign + serial + string(nationalid.HETUCheckChar(date+serial))
}
