package evidence

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/gowebpki/jcs"
)

// Claims is the payload of an attestation: who asked, who signed, and hashes
// binding the package's request, text and native artefacts, so that changing
// any of them breaks the broker's signature.
type Claims struct {
	Issuer   string `json:"iss"`
	Audience string `json:"aud"`
	IssuedAt int64  `json:"iat"`
	// ID is the evidence id.
	ID      string `json:"jti"`
	Subject string `json:"sub"`
	Txn     string `json:"txn,omitempty"`
	ACR     string `json:"acr,omitempty"`
	// DetailsSHA256 is over the RFC 8785 form of the granted entry without
	// its evidence.
	DetailsSHA256 string `json:"authorization_details_sha256"`
	// TextSHA256 is over the decoded visible data, the bytes the eID showed.
	TextSHA256 string `json:"text_sha256"`
	// NativeSHA256 is, per native artefact, over its string's bytes.
	NativeSHA256 map[string]string `json:"native_sha256"`
	// SignedAt is when the eID signed, seconds since the epoch.
	SignedAt int64 `json:"signed_at"`
	// Provider, Operation and SignerSHA256 (over the RFC 8785 form of the
	// evidence's signer) bind the rest of the evidence, so no field of a
	// package can change unnoticed.
	Provider     string `json:"provider"`
	Operation    string `json:"operation"`
	SignerSHA256 string `json:"signer_sha256"`
}

// b64sha256 is base64url (no padding) of SHA-256 of b.
func b64sha256(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// canonicalSHA256 hashes the RFC 8785 form of v's JSON.
func canonicalSHA256(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	canonical, err := jcs.Transform(raw)
	if err != nil {
		return "", fmt.Errorf("canonical json: %w", err)
	}
	return b64sha256(canonical), nil
}

// detailsSHA256 is authorization_details_sha256 of d: d without evidence.
func detailsSHA256(d SignDetails) (string, error) {
	d.Evidence = nil
	return canonicalSHA256(d)
}

// bindings are the hash claims computed from an entry and its evidence, the
// same way at issuance and at verification.
func bindings(d SignDetails, ev *Evidence) (Claims, error) {
	var c Claims
	var err error
	if c.DetailsSHA256, err = detailsSHA256(d); err != nil {
		return Claims{}, fmt.Errorf("hash request: %w", err)
	}
	text, err := base64.StdEncoding.Strict().DecodeString(ev.VisibleData)
	if err != nil {
		return Claims{}, fmt.Errorf("visible_data is not base64: %w", err)
	}
	c.TextSHA256 = b64sha256(text)
	c.NativeSHA256 = make(map[string]string, len(ev.Native))
	for name, v := range ev.Native {
		c.NativeSHA256[name] = b64sha256([]byte(v))
	}
	if c.SignerSHA256, err = canonicalSHA256(ev.Signer); err != nil {
		return Claims{}, fmt.Errorf("hash signer: %w", err)
	}
	c.ID, c.Provider, c.Operation, c.SignedAt = ev.ID, ev.Provider, ev.Operation, ev.SignedAt.Unix()
	return c, nil
}
