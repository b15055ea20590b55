package simcore

import (
	"crypto/sha256"
	"strings"

	"github.com/portvakt/portvakt/internal/randid"
)

// StableUUID is a UUID derived from parts, the same every time: for pairwise
// subjects and other stable simulated ids.
func StableUUID(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	var b [16]byte
	copy(b[:], sum[:16])
	return randid.FormatUUID(b)
}
