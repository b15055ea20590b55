package agentconsole

import (
	"regexp"
	"strings"

	"github.com/portvakt/portvakt/internal/nationalid"
)

// country is what the console knows of a country's personal numbers: the
// login_hint scheme of the CIBA contract and the written shapes it accepts.
type country struct {
	code, scheme string
	shape        *regexp.Regexp
	// shortest is the length of the shortest written form.
	shortest int
}

var countries = []country{
	{"SE", "se-pnr", regexp.MustCompile(`^(\d{6}|\d{8})[-+]?\d{4}$`), 10},
	{"NO", "no-nnin", regexp.MustCompile(`^\d{6} ?\d{5}$`), 11},
	{"FI", "fi-hetu", regexp.MustCompile(`^\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]$`), 11},
	{"DK", "dk-cpr", regexp.MustCompile(`^\d{6}-?\d{4}$`), 10},
}

func countryOf(code string) (country, bool) {
	for _, c := range countries {
		if c.code == code {
			return c, true
		}
	}
	return country{}, false
}

// Number problems, as the page words them.
const (
	numberOK          = "ok"
	numberIncomplete  = "incomplete"
	numberFormat      = "format"
	numberCheckDigits = "check"
)

// checkNumber says whether a typed number is a valid national id of the
// country (its form, then its date and check digits) and returns it normalised.
// A prefix of a valid form is "incomplete", so the page does not scold while
// the agent is still typing.
func checkNumber(code, typed string) (normal, problem string) {
	c, ok := countryOf(code)
	if !ok {
		return "", numberFormat
	}
	typed = strings.TrimSpace(typed)
	if !c.shape.MatchString(typed) {
		if len(typed) < c.shortest && writtenWith(typed) {
			return "", numberIncomplete
		}
		return "", numberFormat
	}
	typ, _ := nationalid.TypeOfCountry(code)
	n, err := nationalid.Normalize(typ, strings.ReplaceAll(typed, " ", ""))
	if err != nil {
		return "", numberCheckDigits
	}
	return n, numberOK
}

// writtenWith: only what a national id is written with.
func writtenWith(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("-+ ABCDEFUVWXYabcdefuvwxy", r) {
			return false
		}
	}
	return true
}

// loginHint is the contract's login_hint for a normalised number.
func loginHint(code, normal string) string {
	c, _ := countryOf(code)
	return c.scheme + ":" + normal
}
