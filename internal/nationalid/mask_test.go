package nationalid_test

import (
	"strings"
	"testing"

	"github.com/portvakt/portvakt/internal/nationalid"
)

func TestMask(t *testing.T) {
	tests := map[string]string{
		"198507232398": "**********98",
		"8507232398":   "********98",
		"150280-912B":  "*********2B",
		"42":           "**",
		"":             "**",
	}
	for in, want := range tests {
		if got := nationalid.Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMaskTextCatchesEveryForm feeds every written form of every type through
// MaskText: nothing of the birth date may survive.
func TestMaskTextCatchesEveryForm(t *testing.T) {
	forms := []struct{ in, birth string }{
		{"198507232398", "850723"},
		{"19850723-2398", "850723"},
		{"850723-2398", "850723"},
		{"850723+2398", "850723"},
		{"8507232398", "850723"},
		{"41018036736", "410180"},
		{"150280-912B", "150280"},
		{"150280-912b", "150280"},
		{"090903A934Y", "090903"},
		{"131052Y308T", "131052"},
		{"0707614285", "070761"},
		{"070761-4285", "070761"},
	}
	for _, f := range forms {
		for _, text := range []string{f.in, "order for " + f.in + " failed", "sub:" + f.in, `{"pnr":"` + f.in + `"}`} {
			got := nationalid.MaskText(text)
			if strings.Contains(got, f.birth) || !strings.Contains(got, f.in[len(f.in)-2:]) {
				t.Errorf("MaskText(%q) = %q", text, got)
			}
		}
	}
	if got := nationalid.MaskText("order 42 in 2 s"); got != "order 42 in 2 s" {
		t.Errorf("MaskText changed text without ids: %q", got)
	}
}
