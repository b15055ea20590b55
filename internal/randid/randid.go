package randid

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Bytes returns n random bytes. crypto/rand.Read does not fail (since Go 1.24 it
// crashes the program rather than return short), so there is no error to handle.
func Bytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// New returns 128 random bits, base64url without padding (22 characters): the
// size of an id that must not be guessed.
func New() string { return String(16) }

// String returns n random bytes, base64url without padding.
func String(n int) string { return base64.RawURLEncoding.EncodeToString(Bytes(n)) }

// Hex returns n random bytes as lower-case hex, for ids kept in columns and
// names that want [0-9a-f] only.
func Hex(n int) string { return hex.EncodeToString(Bytes(n)) }

// UUID returns a random (version 4) UUID.
func UUID() string {
	var b [16]byte
	copy(b[:], Bytes(16))
	return FormatUUID(b)
}

// FormatUUID writes b as a UUID, setting the version 4 and RFC 9562 variant bits.
func FormatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
