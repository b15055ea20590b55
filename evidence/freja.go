package evidence

import (
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/portvakt/portvakt/evidence/frejasig"
)

// FrejaVerifier checks a Freja signature's native artefact offline: the
// details JWS against Freja's result-signing keys, signing the evidence's
// text and non-visible data byte for byte, by its signer, at its time.
type FrejaVerifier struct {
	// Keys are Freja's result-signing public keys, several during a rollover.
	Keys []crypto.PublicKey
}

var _ NativeVerifier = (*FrejaVerifier)(nil)

// NewFrejaVerifier reads Freja's result-signing keys from PEM (certificates
// or public keys) or a JWKS.
func NewFrejaVerifier(data []byte) (*FrejaVerifier, error) {
	keys, err := frejasig.ParseKeys(data)
	if err != nil {
		return nil, err
	}
	return &FrejaVerifier{Keys: keys}, nil
}

// LoadFrejaVerifier reads Freja's result-signing keys from a PEM or JWKS
// file, as `portvakt evidence verify --freja-keys FILE` takes them.
func LoadFrejaVerifier(path string) (*FrejaVerifier, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the key file on the command line
	if err != nil {
		return nil, fmt.Errorf("freja keys: %w", err)
	}
	v, err := NewFrejaVerifier(data)
	if err != nil {
		return nil, fmt.Errorf("freja keys %s: %w", path, err)
	}
	return v, nil
}

// VerifyNative checks ev's freja_details_jws. The error wraps one of
// frejasig's sentinels.
func (v *FrejaVerifier) VerifyNative(ev *Evidence) error {
	if v == nil || len(v.Keys) == 0 {
		return frejasig.ErrNoKeys
	}
	if ev == nil {
		return errors.New("freja: no evidence")
	}
	details := ev.Native[frejasig.NativeName]
	if details == "" {
		return fmt.Errorf("%w: no %s", frejasig.ErrMalformed, frejasig.NativeName)
	}
	if ev.Operation != frejasig.Operation {
		return fmt.Errorf("%w: operation %q is not a Freja signature", frejasig.ErrMalformed, ev.Operation)
	}
	if ev.VisibleDataFormat != "" {
		// Freja shows plain text; a format claims a rendering it never made.
		return fmt.Errorf("%w: visible data format %q", frejasig.ErrSignedData, ev.VisibleDataFormat)
	}
	text, err := base64.StdEncoding.DecodeString(ev.VisibleData)
	if err != nil {
		return fmt.Errorf("%w: visible_data: %w", frejasig.ErrSignedData, err)
	}
	binary, err := base64.StdEncoding.DecodeString(ev.NonVisibleData)
	if err != nil {
		return fmt.Errorf("%w: non_visible_data: %w", frejasig.ErrSignedData, err)
	}
	if ev.Signer.NationalID == nil {
		return fmt.Errorf("%w: the evidence names no signer's national id", frejasig.ErrSigner)
	}
	want := frejasig.Expected{Text: text, BinaryData: binary, Country: ev.Signer.NationalID.Country, SSN: ev.Signer.NationalID.Value}
	res, err := frejasig.Verify(details, want, v.Keys...)
	if err != nil {
		return fmt.Errorf("freja: %w", err)
	}
	if !res.SignedAt.Equal(ev.SignedAt) {
		return fmt.Errorf("%w: signed at %s, Freja says %s", frejasig.ErrSignedAt, ev.SignedAt.UTC().Format("2006-01-02T15:04:05.000Z"), res.SignedAt.Format("2006-01-02T15:04:05.000Z"))
	}
	return nil
}
