package logging

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestLoggerMasksEveryForm(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"personnummer 199001012389 started", "personnummer **********89 started"},
		{"pnr 900101-2389", "pnr *********89"},
		{"fnr 01017012345", "fnr *********45"},
		{"hetu 010170-999R", "hetu *********9R"},
		{"cpr 0101701234", "cpr ********34"},
		{"order 42 in 2 s", "order 42 in 2 s"},
	} {
		var buf bytes.Buffer
		log, err := New(&buf, "info", "text")
		if err != nil {
			t.Fatal(err)
		}
		log.Info("m", "text", tc.in)
		if !strings.Contains(buf.String(), `text="`+tc.want+`"`) {
			t.Errorf("logged %q as %s, want %q", tc.in, buf.String(), tc.want)
		}
	}
}

func TestLoggerMasksStringsAndErrors(t *testing.T) {
	var buf bytes.Buffer
	log, err := New(&buf, "info", "json")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("start", "hint", "199001012389", "error", errors.New("order for 199001012389 failed"))
	if strings.Contains(buf.String(), "199001012389") {
		t.Fatalf("national id leaked into the log: %s", buf.String())
	}
}
