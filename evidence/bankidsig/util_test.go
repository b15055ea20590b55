package bankidsig_test

import (
	"crypto/sha1" //nolint:gosec // BankID's nonce is SHA-1 by definition
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

func sha(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

func nonceHash(signature string) []byte {
	sum := sha1.Sum([]byte(signature)) //nolint:gosec // see import
	return sum[:]
}

func decodeBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, s string) string { return string(decodeBytes(t, s)) }

// firstCert is the first X509Certificate's text in an XML signature.
func firstCert(t *testing.T, xml string) string {
	t.Helper()
	_, rest, ok := strings.Cut(xml, "<X509Certificate>")
	cert, _, ok2 := strings.Cut(rest, "</X509Certificate>")
	if !ok || !ok2 {
		t.Fatal("no X509Certificate")
	}
	return cert
}
