package provider

import (
	"crypto/rand"
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
