package themes

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ThemeCSS returns the per-client stylesheet: CSS custom properties that
// static/portvakt.css reads. Each colour must be #rgb or #rrggbb; an empty
// one keeps the default. Nothing else is accepted, so a client's theme can
// never inject CSS. The text colour on the page background (language
// switcher, footer) is chosen for contrast with background.
func ThemeCSS(primary, primaryText, background string) (string, error) {
	var b strings.Builder
	b.WriteString(":root {\n")
	for _, prop := range []struct{ name, value string }{
		{"--pv-primary", primary},
		{"--pv-primary-text", primaryText},
		{"--pv-bg", background},
	} {
		if prop.value == "" {
			continue
		}
		colour, err := parseHexColour(prop.value)
		if err != nil {
			return "", fmt.Errorf("theme css %s: %w", prop.name, err)
		}
		fmt.Fprintf(&b, "  %s: %s;\n", prop.name, colour)
	}
	if background != "" {
		onBackground := "#1a1f2b"
		if bg, _ := parseHexColour(background); relativeLuminance(bg) < 0.2 {
			onBackground = "#ffffff"
		}
		fmt.Fprintf(&b, "  --pv-on-bg: %s;\n", onBackground)
	}
	b.WriteString("}\n")
	return b.String(), nil
}

// ContrastRatio is the WCAG 2 contrast ratio of two #rgb/#rrggbb colours
// (1 to 21). Admin tooling can warn when a theme's primary colour and its
// text fall below 4.5.
func ContrastRatio(a, b string) (float64, error) {
	ca, err := parseHexColour(a)
	if err != nil {
		return 0, fmt.Errorf("contrast ratio: %w", err)
	}
	cb, err := parseHexColour(b)
	if err != nil {
		return 0, fmt.Errorf("contrast ratio: %w", err)
	}
	la, lb := relativeLuminance(ca), relativeLuminance(cb)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05), nil
}

// parseHexColour validates a colour and returns it in #rrggbb form.
func parseHexColour(s string) (string, error) {
	if len(s) != 4 && len(s) != 7 || s[0] != '#' {
		return "", fmt.Errorf("colour %q is not #rgb or #rrggbb", s)
	}
	digits := strings.ToLower(s[1:])
	for _, r := range digits {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return "", fmt.Errorf("colour %q is not #rgb or #rrggbb", s)
		}
	}
	if len(digits) == 3 {
		digits = string([]byte{digits[0], digits[0], digits[1], digits[1], digits[2], digits[2]})
	}
	return "#" + digits, nil
}

// relativeLuminance follows WCAG 2; c must come from parseHexColour.
func relativeLuminance(c string) float64 {
	channel := func(hex string) float64 {
		v, _ := strconv.ParseUint(hex, 16, 8)
		x := float64(v) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*channel(c[1:3]) + 0.7152*channel(c[3:5]) + 0.0722*channel(c[5:7])
}
