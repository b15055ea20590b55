package nationalid

import (
	"regexp"
	"strings"
)

// shape matches every written form of the ids this package knows: Swedish
// personnummer (10 or 12 digits, optional - or +), Norwegian fødselsnummer (11
// digits), Finnish HETU (6 digits, century sign, 3 digits, check character, either
// case) and Danish CPR (10 digits, optional -).
var shape = regexp.MustCompile(`\b(\d{6,8}[-+]?\d{4}|\d{11}|\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y])\b`)

// Mask is the one masking rule for national ids in logs, errors and the audit
// trail: only the last two characters are kept, enough to tell two people apart in
// a support case and nothing of the birth date.
func Mask(id string) string {
	if len(id) <= 2 {
		return "**"
	}
	return strings.Repeat("*", len(id)-2) + id[len(id)-2:]
}

// MaskText masks every national-id-shaped token in s.
func MaskText(s string) string { return shape.ReplaceAllStringFunc(s, Mask) }

// Contains reports whether s holds something shaped like a national id.
func Contains(s string) bool { return shape.MatchString(s) }
