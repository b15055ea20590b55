package dkmitid

import (
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

func TestParseNSIS(t *testing.T) {
	tests := []struct {
		uri  string
		want connectors.LoA
	}{
		{"https://data.gov.dk/concept/core/nsis/Low", connectors.LoALow},
		{"https://data.gov.dk/concept/core/nsis/Substantial", connectors.LoASubstantial},
		{"https://data.gov.dk/concept/core/nsis/High", connectors.LoAHigh},
		{"https://data.gov.dk/concept/core/nsis/loa/Low", connectors.LoALow},
		{"https://data.gov.dk/concept/core/nsis/loa/Substantial", connectors.LoASubstantial},
		{"https://data.gov.dk/concept/core/nsis/loa/High", connectors.LoAHigh},
		{"https://data.gov.dk/concept/core/nsis/Extreme", connectors.LoANone},
		{"http://eidas.europa.eu/LoA/high", connectors.LoANone},
		{"", connectors.LoANone},
	}
	for _, tt := range tests {
		if got := ParseNSIS(tt.uri); got != tt.want {
			t.Errorf("ParseNSIS(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
}
