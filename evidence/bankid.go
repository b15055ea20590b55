package evidence

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// BankID's native artefact names, as the sebankid connector
// hands them over.
const (
	bankIDNativeSignature    = "bankid_signature"
	bankIDNativeOCSPResponse = "bankid_ocsp_response"
)

// BankIDVerifier checks Swedish BankID evidence offline: the XML signature
// and OCSP response under Roots, BankID's signing trust anchors (not its API's
// TLS root).
type BankIDVerifier struct {
	Roots *x509.CertPool
}

var _ NativeVerifier = BankIDVerifier{}

// VerifyNative checks that ev's BankID signature is genuine under v.Roots, was
// made at ev.SignedAt, signs ev.VisibleData, ev.VisibleDataFormat and
// ev.NonVisibleData byte for byte, and is by the person of
// ev.Signer.NationalID. A failed check wraps its bankidsig sentinel.
func (v BankIDVerifier) VerifyNative(ev *Evidence) error {
	if ev == nil {
		return errors.New("bankid evidence: none")
	}
	switch ev.Operation {
	case "rp/v6.0/sign", "rp/v6.0/phone/sign":
	default:
		return fmt.Errorf("bankid evidence: operation %q is not a BankID signature", ev.Operation)
	}
	signature, ocspResponse := ev.Native[bankIDNativeSignature], ev.Native[bankIDNativeOCSPResponse]
	if signature == "" || ocspResponse == "" {
		return fmt.Errorf("bankid evidence: %s and %s are required", bankIDNativeSignature, bankIDNativeOCSPResponse)
	}
	id := ev.Signer.NationalID
	if id == nil || id.Country != "SE" || id.Value == "" {
		return errors.New("bankid evidence: the signer's Swedish personal number is required")
	}
	visible, err := base64.StdEncoding.DecodeString(ev.VisibleData)
	if err != nil {
		return fmt.Errorf("bankid evidence: visible_data is not base64: %w", err)
	}
	var nonVisible []byte
	if ev.NonVisibleData != "" {
		if nonVisible, err = base64.StdEncoding.DecodeString(ev.NonVisibleData); err != nil {
			return fmt.Errorf("bankid evidence: non_visible_data is not base64: %w", err)
		}
	}
	res, err := bankidsig.Verify(signature, ocspResponse, bankidsig.Expected{
		VisibleData:       visible,
		VisibleDataFormat: ev.VisibleDataFormat,
		NonVisibleData:    nonVisible,
		PersonalNumber:    id.Value,
	}, v.Roots, ev.SignedAt)
	if err != nil {
		return fmt.Errorf("bankid evidence: %w", err)
	}
	if res.FuncID != "Signing" {
		return fmt.Errorf("bankid evidence: funcId %q, an identification rather than a signature", res.FuncID)
	}
	// The broker takes the signing time from the OCSP response: the attested
	// signed_at is that time, not merely near it.
	if !res.ProducedAt.Truncate(time.Second).Equal(ev.SignedAt.Truncate(time.Second)) {
		return fmt.Errorf("bankid evidence: signed_at %s, the OCSP response was produced at %s", ev.SignedAt.UTC(), res.ProducedAt.UTC())
	}
	return nil
}
