package fiftn

import (
	"fmt"
	"strconv"
	"time"
)

const hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// hetuCentury is the century a HETU's sign stands for; the extra letters exist
// since 2023.
func hetuCentury(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

// validHETU checks a HETU's form: DDMMYY, century sign, three digits and the
// right check character, with a real date.
func validHETU(s string) bool {
	return len(s) == 11 && hetuBirthdate(s) != "" && s[10] == checkChar(s[0:6]+s[7:10])
}

func checkChar(nineDigits string) byte {
	n, err := strconv.Atoi(nineDigits)
	if err != nil || len(nineDigits) != 9 {
		return 0
	}
	return hetuCheckChars[n%31]
}

// hetuBirthdate returns the birth date in a HETU as YYYY-MM-DD, or "".
func hetuBirthdate(s string) string {
	if len(s) != 11 {
		return ""
	}
	century, ok := hetuCentury(s[6])
	if !ok {
		return ""
	}
	dd, err1 := strconv.Atoi(s[0:2])
	mm, err2 := strconv.Atoi(s[2:4])
	yy, err3 := strconv.Atoi(s[4:6])
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	d := time.Date(century+yy, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if d.Day() != dd || int(d.Month()) != mm {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year(), mm, dd)
}
