package logging

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/portvakt/portvakt/internal/nationalid"
)

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
		if s := a.Value.String(); nationalid.Contains(s) {
			return slog.String(a.Key, nationalid.MaskText(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			if s := err.Error(); nationalid.Contains(s) {
				return slog.String(a.Key, nationalid.MaskText(s))
			}
		}
	}
	return a
}
