package provider

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
)

// newID returns 128 random bits, URL-safe: auth request ids, token ids, cookies.
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSecret returns 256 random bits, URL-safe: authorization codes.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newReference returns a short id a person can read out to support (60 random
// bits, "K7QF2-MZ4XD"): error pages show it and the log line with the cause
// carries it.
func newReference() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:12]
	return id[:6] + "-" + id[6:]
}
