package bankidsig

import "errors"

// Errors, one per check, in the order Verify makes them. A returned error wraps
// exactly one of them, with the detail after it.
var (
	// ErrMalformed: the signature is not a BankID XML signature (not base64,
	// not XML, too large, elements missing or ambiguous).
	ErrMalformed = errors.New("bankid signature is malformed")
	// ErrReference: SignedInfo does not reference exactly the signed data and
	// the key info, under exclusive C14N and SHA-256.
	ErrReference = errors.New("bankid signature references are not the expected ones")
	// ErrDigest: a referenced element is not what was signed.
	ErrDigest = errors.New("bankid signature digest does not match")
	// ErrSignature: the signature value does not verify with the person's key.
	ErrSignature = errors.New("bankid signature value does not verify")
	// ErrChain: the person's certificate does not chain to a trusted signing
	// root, or was not valid at signing.
	ErrChain = errors.New("bankid certificate is not trusted")
	// ErrVisibleData, ErrVisibleDataFormat, ErrNonVisibleData: the signed
	// texts are not those expected.
	ErrVisibleData       = errors.New("bankid signed visible data differs")
	ErrVisibleDataFormat = errors.New("bankid signed visible data format differs")
	ErrNonVisibleData    = errors.New("bankid signed non-visible data differs")
	// ErrPersonalNumber: the certificate names another person.
	ErrPersonalNumber = errors.New("bankid certificate names another personal number")
	// ErrOCSPMalformed: the OCSP response cannot be read.
	ErrOCSPMalformed = errors.New("bankid ocsp response is malformed")
	// ErrOCSPResponder: the OCSP response is not signed by the issuing CA or a
	// responder it authorised for OCSP signing.
	ErrOCSPResponder = errors.New("bankid ocsp responder is not authorised")
	// ErrOCSPStatus: the OCSP response does not say good for the certificate.
	ErrOCSPStatus = errors.New("bankid ocsp status is not good")
	// ErrOCSPTime: the OCSP response was not produced at the signing.
	ErrOCSPTime = errors.New("bankid ocsp response is not from the signing")
	// ErrOCSPNonce: the OCSP nonce does not bind the response to this signature.
	ErrOCSPNonce = errors.New("bankid ocsp nonce does not match the signature")
)
