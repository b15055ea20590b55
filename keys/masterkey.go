package keys

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// ParseMasterKey decodes a 32-byte master key written as 64 hex digits or as base64
// (standard or URL alphabet, padded or not). Surrounding whitespace is ignored. The
// error never contains the input.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("parse master key: empty")
	}
	if len(s) == 2*MasterKeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != MasterKeySize {
			return nil, fmt.Errorf("parse master key: decodes to %d bytes, want %d", len(key), MasterKeySize)
		}
		return key, nil
	}
	return nil, fmt.Errorf("parse master key: neither 64 hex digits nor base64 of %d bytes", MasterKeySize)
}

// GenerateMasterKey returns a new random master key as standard padded base64.
func GenerateMasterKey() (string, error) {
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate master key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(key), nil
}
