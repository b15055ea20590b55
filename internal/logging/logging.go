package logging

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
)

// nationalIDShape matches Swedish personnummer (10 or 12 digits, optional - or +),
// Norwegian fødselsnummer (11 digits), Finnish HETU (6 digits, century sign, 3
// digits, check character) and Danish CPR (10 digits, optional -).
var nationalIDShape = regexp.MustCompile(`\b(\d{6,8}[-+]?\d{4}|\d{11}|\d{6}[-+A-FU-Y]\d{3}[0-9A-Y])\b`)

// Mask keeps the last two characters of a national id: enough to tell two people
// apart in a support case, not enough to identify anyone.
func Mask(id string) string {
	if len(id) <= 2 {
		return "**"
	}
	return strings.Repeat("*", len(id)-2) + id[len(id)-2:]
}

// MaskText masks every national-id-shaped token in s.
func MaskText(s string) string { return nationalIDShape.ReplaceAllStringFunc(s, Mask) }

// New returns a logger writing to w. level is debug, info, warn or error; format is
// json or text.
func New(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	opts := &slog.HandlerOptions{Level: lv, ReplaceAttr: maskAttr}
	switch format {
	case "json", "":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q is not json or text", format)
}

func maskAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		if s := a.Value.String(); nationalIDShape.MatchString(s) {
			return slog.String(a.Key, MaskText(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			if s := err.Error(); nationalIDShape.MatchString(s) {
				return slog.String(a.Key, MaskText(s))
			}
		}
	}
	return a
}
