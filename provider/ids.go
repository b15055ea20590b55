package provider

import (
	"encoding/base32"

	"github.com/portvakt/portvakt/internal/randid"
)

// newID is the id of auth requests, tokens and cookies: 128 random bits.
func newID() string { return randid.New() }

// newSecret is an authorization code: 256 random bits.
func newSecret() string { return randid.String(32) }

// newReference returns a short id a person can read out to support (60 random
// bits, "K7QF2-MZ4XD"): error pages show it and the log line with the cause
// carries it.
func newReference() string {
	id := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(randid.Bytes(8))[:12]
	return id[:6] + "-" + id[6:]
}
