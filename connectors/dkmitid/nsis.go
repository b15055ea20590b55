package dkmitid

import (
	"strings"

	"github.com/portvakt/portvakt/connectors"
)

// NSIS level URIs, in the MitID broker's spelling; NemLog-in's has a /loa/
// segment before the name.
const (
	NSISLow         = "https://data.gov.dk/concept/core/nsis/Low"
	NSISSubstantial = "https://data.gov.dk/concept/core/nsis/Substantial"
	NSISHigh        = "https://data.gov.dk/concept/core/nsis/High"
)

// ParseNSIS maps an NSIS level URI, in either spelling, to the eIDAS level of the
// same name; anything else is LoANone.
func ParseNSIS(uri string) connectors.LoA {
	rest, ok := strings.CutPrefix(uri, "https://data.gov.dk/concept/core/nsis/")
	if !ok {
		return connectors.LoANone
	}
	rest = strings.TrimPrefix(rest, "loa/")
	switch rest {
	case "Low":
		return connectors.LoALow
	case "Substantial":
		return connectors.LoASubstantial
	case "High":
		return connectors.LoAHigh
	}
	return connectors.LoANone
}
