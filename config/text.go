package config

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on a client's free text, shown on the login and consent pages.
const (
	maxNameLength    = 200
	maxPurposeLength = 1000
)

// validateText checks free text an admin gives: valid UTF-8, at most max bytes,
// and no control or bidirectional override characters, which could make a page
// or a log line say something other than what was registered. multiline allows
// line breaks (a purpose written as a YAML block).
func validateText(s string, max int, multiline bool) error {
	switch {
	case len(s) > max:
		return fmt.Errorf("longer than %d bytes", max)
	case !utf8.ValidString(s):
		return errors.New("not valid UTF-8")
	case strings.ContainsFunc(s, func(r rune) bool {
		return (unicode.IsControl(r) && !(multiline && r == '\n')) || unicode.Is(unicode.Bidi_Control, r)
	}):
		return errors.New("must not contain control or bidirectional override characters")
	}
	return nil
}
