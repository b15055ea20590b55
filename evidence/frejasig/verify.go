package frejasig

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// The checks' sentinel errors; Verify wraps one of them.
var (
	// ErrNoKeys: no Freja key was given to verify with.
	ErrNoKeys = errors.New("frejasig: no Freja keys to verify with")
	// ErrMalformed: the result is not a signature result Freja would send.
	ErrMalformed = errors.New("frejasig: malformed signature result")
	// ErrSignature: no trusted Freja key signed the result.
	ErrSignature = errors.New("frejasig: result not signed by a trusted Freja key")
	// ErrNotApproved: the result is not of an approved signature.
	ErrNotApproved = errors.New("frejasig: signature not approved")
	// ErrReference: the result is of another transaction.
	ErrReference = errors.New("frejasig: result of another transaction")
	// ErrSigner: the result names another person, or none.
	ErrSigner = errors.New("frejasig: signed by another person")
	// ErrSignedData: the signed text or binary data differ from what was sent.
	ErrSignedData = errors.New("frejasig: signed data differs from what was sent")
	// ErrUserSignature: the person's own signature is malformed or does not
	// verify under its certificate.
	ErrUserSignature = errors.New("frejasig: the person's signature does not verify")
	// ErrSignedAt: evidence dates the signature otherwise than the result.
	ErrSignedAt = errors.New("frejasig: signing time differs from the result's")
)

// Signature types of a result.
const (
	TypeSimple   = "SIMPLE"
	TypeExtended = "EXTENDED"
)

const statusApproved = "APPROVED"

// MaxDetailsBytes bounds the details accepted: a result carries a text of a
// few kilobytes and binary data of some more, never a megabyte.
const MaxDetailsBytes = 1 << 20

// algorithms are the JWS algorithms accepted: Freja's RS256 and its like,
// never "none" or a MAC that a public key could be abused as the secret of.
var algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// Expected is what the signature must be of: the exact bytes sent and the
// person asked to sign.
type Expected struct {
	// Text is the text shown, as sent (dataToSign.text decoded).
	Text []byte
	// BinaryData is the unseen data (dataToSign.binaryData decoded), signed
	// EXTENDED; empty, a SIMPLE signature of the text alone is expected.
	BinaryData []byte
	// Country and SSN name the signer: the personal number the result must
	// carry. Required.
	Country, SSN string
	// SignRef, when set, is the transaction the result must be of.
	SignRef string
}

// Result is what a verified signature result says.
type Result struct {
	SignRef       string
	SignatureType string
	// SignedAt is the result's timestamp.
	SignedAt          time.Time
	Country, SSN      string
	GivenName         string
	Surname           string
	RegistrationLevel string
	// UserSignature and CertificateStatus are signatureData's, verbatim.
	UserSignature     string
	CertificateStatus string
	// UserCertificate is the person's certificate from the user signature's
	// x5c header, under which that signature verified; nil when it has none.
	UserCertificate *x509.Certificate
}

// details is the payload of a signature result's details JWS.
type details struct {
	SignRef             string `json:"signRef"`
	Status              string `json:"status"`
	UserInfoType        string `json:"userInfoType"`
	UserInfo            string `json:"userInfo"`
	Timestamp           int64  `json:"timestamp"`
	SignatureType       string `json:"signatureType"`
	RequestedAttributes *struct {
		BasicUserInfo *struct {
			Name    string `json:"name"`
			Surname string `json:"surname"`
		} `json:"basicUserInfo"`
		SSN *struct {
			Country string `json:"country"`
			SSN     string `json:"ssn"`
		} `json:"ssn"`
		RegistrationLevel string `json:"registrationLevel"`
	} `json:"requestedAttributes"`
	SignatureData *struct {
		UserSignature     string `json:"userSignature"`
		CertificateStatus string `json:"certificateStatus"`
	} `json:"signatureData"`
}

// Verify checks a signature result's details JWS: signed by one of keys
// (Freja's result-signing keys), approved, of want.SignRef when set, naming
// want's person, and signing want's text and binary data byte for byte. The
// error wraps one of the package's sentinels.
func Verify(detailsJWS string, want Expected, keys ...crypto.PublicKey) (*Result, error) {
	if len(keys) == 0 {
		return nil, ErrNoKeys
	}
	if want.SSN == "" || want.Country == "" {
		return nil, fmt.Errorf("%w: no expected person given", ErrSigner)
	}
	if len(detailsJWS) > MaxDetailsBytes {
		return nil, fmt.Errorf("%w: details of %d bytes", ErrMalformed, len(detailsJWS))
	}
	sig, err := jose.ParseSignedCompact(detailsJWS, algorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	var payload []byte
	for _, key := range keys {
		if p, err := sig.Verify(key); err == nil {
			payload = p
			break
		}
	}
	if payload == nil {
		return nil, ErrSignature
	}
	var d details
	if err := json.Unmarshal(payload, &d); err != nil {
		return nil, fmt.Errorf("%w: details payload: %w", ErrMalformed, err)
	}
	if d.Status != statusApproved {
		return nil, fmt.Errorf("%w: status %q", ErrNotApproved, clip(d.Status))
	}
	if want.SignRef != "" && d.SignRef != want.SignRef {
		return nil, fmt.Errorf("%w: signRef %q", ErrReference, clip(d.SignRef))
	}
	if d.Timestamp <= 0 || d.SignatureData == nil || d.SignatureData.UserSignature == "" {
		return nil, fmt.Errorf("%w: no timestamp or signature data", ErrMalformed)
	}
	res := &Result{
		SignRef: d.SignRef, SignatureType: d.SignatureType, SignedAt: time.UnixMilli(d.Timestamp).UTC(),
		UserSignature: d.SignatureData.UserSignature, CertificateStatus: d.SignatureData.CertificateStatus,
	}
	if err := checkSigner(&d, want, res); err != nil {
		return nil, err
	}
	signed, err := SignedData(d.SignatureType, want.Text, want.BinaryData)
	if err != nil {
		return nil, err
	}
	// Binary data is signed EXTENDED, a text alone SIMPLE: a type other than
	// the one asked for is another signature than the one sent.
	wantType := TypeSimple
	if len(want.BinaryData) > 0 {
		wantType = TypeExtended
	}
	if d.SignatureType != wantType {
		return nil, fmt.Errorf("%w: a %s signature", ErrSignedData, clip(d.SignatureType))
	}
	if res.UserCertificate, err = checkUserSignature(d.SignatureData.UserSignature, signed); err != nil {
		return nil, err
	}
	return res, nil
}

// checkSigner checks that the result names want's person and fills res's
// person.
func checkSigner(d *details, want Expected, res *Result) error {
	attrs := d.RequestedAttributes
	if attrs == nil || attrs.SSN == nil {
		return fmt.Errorf("%w: the result names no personal number", ErrSigner)
	}
	res.Country, res.SSN = strings.ToUpper(attrs.SSN.Country), attrs.SSN.SSN
	if res.SSN != want.SSN || res.Country != strings.ToUpper(want.Country) {
		return fmt.Errorf("%w: the result names a personal number of %s, not the one expected", ErrSigner, clip(res.Country))
	}
	res.RegistrationLevel = attrs.RegistrationLevel
	if attrs.BasicUserInfo != nil {
		res.GivenName, res.Surname = attrs.BasicUserInfo.Name, attrs.BasicUserInfo.Surname
	}
	return nil
}

// SignedData is the payload a person's signature of signatureType carries for
// text and binary: the text itself (SIMPLE), or base64url(text) "."
// base64url(binary) (EXTENDED). A SIMPLE signature signs no binary data.
func SignedData(signatureType string, text, binary []byte) ([]byte, error) {
	switch signatureType {
	case TypeSimple:
		if len(binary) > 0 {
			return nil, fmt.Errorf("%w: a SIMPLE signature of binary data", ErrSignedData)
		}
		return text, nil
	case TypeExtended:
		return []byte(base64.RawURLEncoding.EncodeToString(text) + "." + base64.RawURLEncoding.EncodeToString(binary)), nil
	}
	return nil, fmt.Errorf("%w: signatureType %q", ErrMalformed, clip(signatureType))
}

// checkUserSignature checks the person's JWS: it signs exactly want, and
// verifies under the certificate of its x5c header when it names one.
func checkUserSignature(userSignature string, want []byte) (*x509.Certificate, error) {
	sig, err := jose.ParseSignedCompact(userSignature, algorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUserSignature, err)
	}
	cert, err := leafCertificate(userSignature)
	if err != nil {
		return nil, err
	}
	payload := sig.UnsafePayloadWithoutVerification()
	if cert != nil {
		if payload, err = sig.Verify(cert.PublicKey); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUserSignature, err)
		}
	}
	if !bytes.Equal(payload, want) {
		return nil, ErrSignedData
	}
	return cert, nil
}

// leafCertificate reads the first certificate of a compact JWS's x5c header,
// or nil when it has none. go-jose hands out x5c only with a chain check,
// and the person's certificate chains to a Freja CA the verifier need not
// hold: the result's own signature vouches for it.
func leafCertificate(compact string) (*x509.Certificate, error) {
	encoded, _, _ := strings.Cut(compact, ".")
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	if err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrUserSignature, err)
	}
	var header struct {
		X5C []string `json:"x5c"`
	}
	if err := json.Unmarshal(raw, &header); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrUserSignature, err)
	}
	if len(header.X5C) == 0 {
		return nil, nil
	}
	der, err := base64.StdEncoding.DecodeString(header.X5C[0])
	if err != nil {
		return nil, fmt.Errorf("%w: x5c: %w", ErrUserSignature, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w: x5c: %w", ErrUserSignature, err)
	}
	return cert, nil
}

// clip shortens a value from the result for an error message.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// Names of a Freja signature in the broker's evidence.
const (
	// NativeName is the evidence's native artefact: the details JWS verbatim.
	NativeName = "freja_details_jws"
	// Operation is the upstream call that signs.
	Operation = "sign/1.0/initSignature"
)
