package themes

import (
	"math"
	"strings"
	"testing"
)

func TestThemeCSS(t *testing.T) {
	css, err := ThemeCSS("#0A5", "#ffffff", "#10141c")
	if err != nil {
		t.Fatalf("ThemeCSS: %v", err)
	}
	want := ":root {\n  --pv-primary: #00aa55;\n  --pv-primary-text: #ffffff;\n  --pv-bg: #10141c;\n  --pv-on-bg: #ffffff;\n}\n"
	if css != want {
		t.Errorf("ThemeCSS =\n%s\nwant\n%s", css, want)
	}

	css, err = ThemeCSS("#123456", "", "#f8f8f8")
	if err != nil {
		t.Fatalf("ThemeCSS: %v", err)
	}
	if strings.Contains(css, "--pv-primary-text") || !strings.Contains(css, "--pv-on-bg: #1a1f2b;") {
		t.Errorf("empty colour or light background handled wrongly:\n%s", css)
	}
}

func TestThemeCSSRejectsAnythingButHexColours(t *testing.T) {
	attempts := []string{
		"red",
		"#fff;} body { display:none } :root{",
		"#fff}",
		"#ffff",
		"#fffffff",
		"#ggg",
		"fff",
		"#fff ",
		" #fff",
		"#ff\nf",
		"url(https://evil.example/x.png)",
		"expression(alert(1))",
		"var(--x)",
		"#fff/*",
		"</style><script>alert(1)</script>",
		"rgb(0,0,0)",
		"#",
	}
	for _, bad := range attempts {
		for i, args := range [][3]string{{bad, "#fff", "#fff"}, {"#fff", bad, "#fff"}, {"#fff", "#fff", bad}} {
			if css, err := ThemeCSS(args[0], args[1], args[2]); err == nil {
				t.Errorf("ThemeCSS accepted %q as argument %d:\n%s", bad, i+1, css)
			}
		}
	}
}

func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"#000", "#fff", 21},
		{"#fff", "#fff", 1},
		{"#1d4f91", "#ffffff", 8.1},
		{"#525d6f", "#ffffff", 6.6},
	}
	for _, tt := range tests {
		got, err := ContrastRatio(tt.a, tt.b)
		if err != nil {
			t.Fatalf("ContrastRatio(%s, %s): %v", tt.a, tt.b, err)
		}
		if math.Abs(got-tt.want) > 0.1 {
			t.Errorf("ContrastRatio(%s, %s) = %.2f, want %.1f", tt.a, tt.b, got, tt.want)
		}
	}
	if _, err := ContrastRatio("blue", "#fff"); err == nil {
		t.Error("ContrastRatio accepted a colour name")
	}
}

// TestDefaultColoursMeetWCAGAA reads the design system's own colours and
// checks every text/background pair the pages use against 4.5:1.
func TestDefaultColoursMeetWCAGAA(t *testing.T) {
	th := loadThemes(t)
	css := string(th.static.byName["portvakt.css"].content)
	colour := func(name string) string {
		t.Helper()
		_, rest, ok := strings.Cut(css, name+":")
		if !ok {
			t.Fatalf("portvakt.css does not set %s", name)
		}
		value, _, _ := strings.Cut(rest, ";")
		return strings.TrimSpace(value)
	}
	pairs := [][2]string{
		{"--pv-text", "--pv-surface"},
		{"--pv-muted", "--pv-surface"},
		{"--pv-muted", "--pv-subtle"},
		{"--pv-text", "--pv-subtle"},
		{"--pv-link", "--pv-surface"},
		{"--pv-primary-text", "--pv-primary"},
		{"--pv-on-bg", "--pv-bg"},
		{"--pv-error", "--pv-error-bg"},
		{"--pv-success", "--pv-success-bg"},
	}
	for _, pair := range pairs {
		ratio, err := ContrastRatio(colour(pair[0]), colour(pair[1]))
		if err != nil {
			t.Fatalf("%s on %s: %v", pair[0], pair[1], err)
		}
		if ratio < 4.5 {
			t.Errorf("%s on %s has contrast %.2f:1, below 4.5:1", pair[0], pair[1], ratio)
		}
	}
}
