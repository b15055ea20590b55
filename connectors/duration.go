package connectors

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Duration is the one duration type of the configuration, the broker's YAML and
// the connectors' JSON alike: a Go duration ("90s", "15m", "2160h") or a bare
// number of seconds.
type Duration time.Duration

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes a Go duration string, which both forms read back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a Go duration or a number of seconds (YAML hands both over
// as text).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := parseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON reads a JSON string as UnmarshalText does, and a JSON number as
// seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		s = string(b)
	}
	return d.UnmarshalText([]byte(s))
}

// maxSeconds keeps a number of seconds inside time.Duration (and out of NaN).
const maxSeconds = float64(math.MaxInt64 / int64(time.Second))

func parseDuration(s string) (time.Duration, error) {
	if v, err := time.ParseDuration(s); err == nil {
		return v, nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(secs) <= maxSeconds {
		return time.Duration(secs * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("duration %q: want a number with a unit, like \"10s\", \"15m\" or \"2h\", or a number of seconds", s)
}
