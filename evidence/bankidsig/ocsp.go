package bankidsig

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // G505: OCSP's CertID and BankID's nonce are SHA-1 by definition
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/ocsp"
)

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidSHA1      = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256    = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
)

// The response's structure (RFC 6960), read here for what x/crypto/ocsp does
// not expose: the response-level extensions, where BankID's nonce is, and the
// CertID's issuer hashes.
type (
	ocspResponse struct {
		Status   asn1.Enumerated
		Response struct {
			ResponseType asn1.ObjectIdentifier
			Response     []byte
		} `asn1:"explicit,tag:0,optional"`
	}
	basicResponse struct {
		TBSResponseData    responseData
		SignatureAlgorithm pkix.AlgorithmIdentifier
		Signature          asn1.BitString
		Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
	}
	responseData struct {
		Version        int `asn1:"optional,default:0,explicit,tag:0"`
		RawResponderID asn1.RawValue
		ProducedAt     time.Time `asn1:"generalized"`
		Responses      []singleResponse
		Extensions     []pkix.Extension `asn1:"explicit,tag:1,optional"`
	}
	singleResponse struct {
		CertID struct {
			HashAlgorithm pkix.AlgorithmIdentifier
			NameHash      []byte
			IssuerKeyHash []byte
			SerialNumber  *big.Int
		}
		Good             asn1.Flag        `asn1:"tag:0,optional"`
		Revoked          asn1.RawValue    `asn1:"tag:1,optional"`
		Unknown          asn1.Flag        `asn1:"tag:2,optional"`
		ThisUpdate       time.Time        `asn1:"generalized"`
		NextUpdate       time.Time        `asn1:"generalized,explicit,tag:0,optional"`
		SingleExtensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
	}
)

// verifyOCSP checks the OCSP response for leaf, issued by issuer, and returns
// its producedAt.
func verifyOCSP(ocspB64, signatureB64 string, leaf, issuer *x509.Certificate, at time.Time) (time.Time, error) {
	if len(ocspB64) > MaxOCSPLen {
		return time.Time{}, fmt.Errorf("%w: %d bytes, more than %d", ErrOCSPMalformed, len(ocspB64), MaxOCSPLen)
	}
	der, err := base64.StdEncoding.DecodeString(ocspB64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: not base64: %w", ErrOCSPMalformed, err)
	}
	var outer ocspResponse
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) > 0 {
		return time.Time{}, fmt.Errorf("%w: %v", ErrOCSPMalformed, cmpErr(err, "trailing data"))
	}
	if outer.Status != 0 {
		return time.Time{}, fmt.Errorf("%w: response status %d, not successful", ErrOCSPStatus, outer.Status)
	}
	if !outer.Response.ResponseType.Equal(oidOCSPBasic) {
		return time.Time{}, fmt.Errorf("%w: not a basic response", ErrOCSPMalformed)
	}
	var basic basicResponse
	if rest, err := asn1.Unmarshal(outer.Response.Response, &basic); err != nil || len(rest) > 0 {
		return time.Time{}, fmt.Errorf("%w: basic response: %v", ErrOCSPMalformed, cmpErr(err, "trailing data"))
	}
	tbs := basic.TBSResponseData
	// BankID answers for the one certificate: with several entries the status
	// read below could be another entry's than the one whose CertID matched.
	if len(tbs.Responses) != 1 {
		return time.Time{}, fmt.Errorf("%w: %d statuses, want one for the signer's certificate", ErrOCSPStatus, len(tbs.Responses))
	}
	if !forCert(tbs.Responses[0], leaf, issuer) {
		return time.Time{}, fmt.Errorf("%w: no status for the signer's certificate", ErrOCSPStatus)
	}
	// x/crypto/ocsp checks the signature: by the issuer, or by the certificate
	// included, itself signed by the issuer.
	resp, err := ocsp.ParseResponseForCert(der, leaf, issuer)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrOCSPResponder, err)
	}
	responder := issuer
	if resp.Certificate != nil && !resp.Certificate.Equal(issuer) {
		// A delegated responder (RFC 6960 §4.2.2.2): issued by the issuer for
		// OCSP signing, and valid when it answered.
		responder = resp.Certificate
		if !slices.Contains(responder.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
			return time.Time{}, fmt.Errorf("%w: %s is not an OCSP signer", ErrOCSPResponder, responder.Subject.CommonName)
		}
		if resp.ProducedAt.Before(responder.NotBefore) || resp.ProducedAt.After(responder.NotAfter) {
			return time.Time{}, fmt.Errorf("%w: %s was not valid at %s", ErrOCSPResponder, responder.Subject.CommonName, resp.ProducedAt)
		}
	}
	if !namesResponder(resp, responder) {
		return time.Time{}, fmt.Errorf("%w: responder id does not name the signing certificate", ErrOCSPResponder)
	}
	if resp.Status != ocsp.Good {
		return time.Time{}, fmt.Errorf("%w: status %d", ErrOCSPStatus, resp.Status)
	}
	if d := resp.ProducedAt.Sub(at); d > MaxSkew || d < -MaxSkew {
		return time.Time{}, fmt.Errorf("%w: produced at %s, signing at %s", ErrOCSPTime, resp.ProducedAt.UTC(), at.UTC())
	}
	if resp.ThisUpdate.After(resp.ProducedAt.Add(MaxSkew)) {
		return time.Time{}, fmt.Errorf("%w: thisUpdate %s after producedAt %s", ErrOCSPTime, resp.ThisUpdate, resp.ProducedAt)
	}
	nonce, err := nonceOf(tbs.Extensions)
	if err != nil {
		return time.Time{}, err
	}
	sum := sha1.Sum([]byte(signatureB64)) //nolint:gosec // see import
	if len(nonce) < len(sum) || !bytes.Equal(nonce[:len(sum)], sum[:]) {
		return time.Time{}, ErrOCSPNonce
	}
	return resp.ProducedAt, nil
}

// forCert reports whether r is about leaf as issued by issuer: its serial and
// the issuer's name and key hashes.
func forCert(r singleResponse, leaf, issuer *x509.Certificate) bool {
	id := r.CertID
	if id.SerialNumber == nil || id.SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		return false
	}
	var hash func([]byte) []byte
	switch {
	case id.HashAlgorithm.Algorithm.Equal(oidSHA1):
		hash = func(b []byte) []byte { sum := sha1.Sum(b); return sum[:] } //nolint:gosec // see import
	case id.HashAlgorithm.Algorithm.Equal(oidSHA256):
		hash = func(b []byte) []byte { sum := sha256.Sum256(b); return sum[:] }
	default:
		return false // a CertID this verifier cannot check names no certificate
	}
	keyBits, ok := publicKeyBits(issuer)
	return ok && bytes.Equal(id.NameHash, hash(issuer.RawSubject)) && bytes.Equal(id.IssuerKeyHash, hash(keyBits))
}

// namesResponder reports whether the response's ResponderID names cert, by
// name or by key hash.
func namesResponder(resp *ocsp.Response, cert *x509.Certificate) bool {
	if resp.RawResponderName != nil {
		return bytes.Equal(resp.RawResponderName, cert.RawSubject)
	}
	keyHash, ok := keyHashOf(cert)
	return ok && bytes.Equal(resp.ResponderKeyHash, keyHash)
}

// keyHashOf is SHA-1 of cert's public key bits.
func keyHashOf(cert *x509.Certificate) ([]byte, bool) {
	bits, ok := publicKeyBits(cert)
	if !ok {
		return nil, false
	}
	sum := sha1.Sum(bits) //nolint:gosec // see import
	return sum[:], true
}

// publicKeyBits are the subjectPublicKey bits of cert, what a CertID's and a
// ResponderID's key hashes are over.
func publicKeyBits(cert *x509.Certificate) ([]byte, bool) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, false
	}
	return spki.PublicKey.RightAlign(), true
}

// nonceOf finds the nonce among the response extensions. RFC 6960 wraps the
// nonce in an OCTET STRING inside the extension's value; a bare value is taken
// as it is.
func nonceOf(exts []pkix.Extension) ([]byte, error) {
	for _, ext := range exts {
		if !ext.Id.Equal(oidOCSPNonce) {
			continue
		}
		var inner []byte
		if rest, err := asn1.Unmarshal(ext.Value, &inner); err == nil && len(rest) == 0 {
			return inner, nil
		}
		return ext.Value, nil
	}
	return nil, fmt.Errorf("%w: the response has no nonce", ErrOCSPNonce)
}

func cmpErr(err error, otherwise string) any {
	if err != nil {
		return err
	}
	return otherwise
}
