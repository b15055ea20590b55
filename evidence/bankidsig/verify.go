package bankidsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"time"
)

// Limits on what Verify reads. BankID's largest signature carries 40,000
// characters of visible and 200,000 of non-visible data, base64 inside base64:
// well under a megabyte.
const (
	MaxSignatureLen = 2 << 20
	MaxOCSPLen      = 64 << 10
)

// MaxSkew is how far the OCSP response's producedAt may be from the signing
// time Verify is given: BankID asks its responder as the person signs.
const MaxSkew = 5 * time.Minute

// Expected is what the signature must sign and whose it must be.
type Expected struct {
	// VisibleData and NonVisibleData are the bytes sent as userVisibleData and
	// userNonVisibleData (before base64); nil for none.
	VisibleData, NonVisibleData []byte
	// VisibleDataSHA256 and NonVisibleDataSHA256, when set, are checked
	// instead of VisibleData and NonVisibleData: the SHA-256 of the bytes sent,
	// for a verifier that kept only the digests.
	VisibleDataSHA256, NonVisibleDataSHA256 []byte
	// VisibleDataFormat is userVisibleDataFormat as sent: "" or
	// "simpleMarkdownV1".
	VisibleDataFormat string
	// PersonalNumber is the signer's 12-digit personnummer. Required.
	PersonalNumber string
}

// Result is what a verified signature proves.
type Result struct {
	// Certificate is the person's; Chain runs from it to the trusted root.
	Certificate *x509.Certificate
	Chain       []*x509.Certificate
	// PersonalNumber and Name are from the certificate's subject.
	PersonalNumber, Name string
	// FuncID is clientInfo's funcId: "Signing" or "Identification".
	FuncID string
	// VisibleData, VisibleDataFormat and NonVisibleData are what was signed
	// (equal to what was expected).
	VisibleData, NonVisibleData []byte
	VisibleDataFormat           string
	// ProducedAt is the OCSP response's producedAt, the signing time as BankID
	// attests it.
	ProducedAt time.Time
}

// Verify checks BankID's signature (completionData.signature, base64 XML-DSig)
// and OCSP response (completionData.ocspResponse, base64 DER) offline against
// roots, the signing trust anchors, for a signing made at about at (the time
// the order completed, or the evidence's signing time). The error wraps the
// sentinel of the first check that failed.
func Verify(signatureB64, ocspB64 string, want Expected, roots *x509.CertPool, at time.Time) (*Result, error) {
	if len(signatureB64) > MaxSignatureLen {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(signatureB64), MaxSignatureLen)
	}
	raw, err := base64.StdEncoding.DecodeString(signatureB64)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %w", ErrMalformed, err)
	}
	signed, err := verifyXML(raw)
	if err != nil {
		return nil, err
	}
	leaf := signed.certs[0]
	if roots == nil {
		// Never fall back to the system roots: they are not BankID's.
		return nil, fmt.Errorf("%w: no signing roots configured", ErrChain)
	}
	intermediates := x509.NewCertPool()
	for _, c := range signed.certs[1:] {
		intermediates.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: intermediates, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrChain, err)
	}
	chain := chains[0]
	if len(chain) < 2 {
		return nil, fmt.Errorf("%w: the signer's certificate is itself a root", ErrChain)
	}
	// A person's certificate signs; a CA's, or one not for signatures, does
	// not stand for a person even if its subject names one.
	if leaf.IsCA || leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, fmt.Errorf("%w: the signer's certificate is not a person's signing certificate", ErrChain)
	}
	if !sameData(signed.visible, want.VisibleData, want.VisibleDataSHA256) {
		return nil, fmt.Errorf("%w: %d bytes signed", ErrVisibleData, len(signed.visible))
	}
	if signed.format != want.VisibleDataFormat {
		return nil, fmt.Errorf("%w: %q signed, %q expected", ErrVisibleDataFormat, signed.format, want.VisibleDataFormat)
	}
	if !sameData(signed.nonVisible, want.NonVisibleData, want.NonVisibleDataSHA256) {
		return nil, fmt.Errorf("%w: %d bytes signed", ErrNonVisibleData, len(signed.nonVisible))
	}
	if want.PersonalNumber == "" || leaf.Subject.SerialNumber != want.PersonalNumber {
		return nil, ErrPersonalNumber
	}
	producedAt, err := verifyOCSP(ocspB64, signatureB64, leaf, chain[1], at)
	if err != nil {
		return nil, err
	}
	return &Result{
		Certificate: leaf, Chain: chain,
		PersonalNumber: leaf.Subject.SerialNumber, Name: leaf.Subject.CommonName,
		FuncID: signed.funcID, ProducedAt: producedAt,
		VisibleData: signed.visible, NonVisibleData: signed.nonVisible, VisibleDataFormat: signed.format,
	}, nil
}

// sameData reports whether the signed bytes are those wanted, or have the
// wanted digest when one is given.
func sameData(signed, want, wantSHA256 []byte) bool {
	if wantSHA256 != nil {
		sum := sha256.Sum256(signed)
		return subtle.ConstantTimeCompare(sum[:], wantSHA256) == 1
	}
	return bytes.Equal(signed, want)
}
