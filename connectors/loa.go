package connectors

import "fmt"

// LoA is an eIDAS level of assurance. The zero value means "no level" and is below Low.
type LoA int

const (
	LoANone LoA = iota
	LoALow
	LoASubstantial
	LoAHigh
)

// The eIDAS level URIs, used as the ID token's acr.
const (
	LoALowURI         = "http://eidas.europa.eu/LoA/low"
	LoASubstantialURI = "http://eidas.europa.eu/LoA/substantial"
	LoAHighURI        = "http://eidas.europa.eu/LoA/high"
)

// URI returns the eIDAS URI of the level, or "" for LoANone.
func (l LoA) URI() string {
	switch l {
	case LoALow:
		return LoALowURI
	case LoASubstantial:
		return LoASubstantialURI
	case LoAHigh:
		return LoAHighURI
	}
	return ""
}

// String returns low, substantial or high.
func (l LoA) String() string {
	switch l {
	case LoALow:
		return "low"
	case LoASubstantial:
		return "substantial"
	case LoAHigh:
		return "high"
	}
	return "none"
}

// ParseLoA accepts an eIDAS URI or a bare name (low, substantial, high).
func ParseLoA(s string) (LoA, error) {
	switch s {
	case LoALowURI, "low":
		return LoALow, nil
	case LoASubstantialURI, "substantial":
		return LoASubstantial, nil
	case LoAHighURI, "high":
		return LoAHigh, nil
	}
	return LoANone, fmt.Errorf("unknown level of assurance %q", s)
}

// MarshalText writes the bare name, so configs and JSON read "substantial".
func (l LoA) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText accepts what ParseLoA accepts, and "" or "none" as LoANone.
func (l *LoA) UnmarshalText(b []byte) error {
	if len(b) == 0 || string(b) == "none" {
		*l = LoANone
		return nil
	}
	v, err := ParseLoA(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
