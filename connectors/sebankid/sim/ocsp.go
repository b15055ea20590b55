package sim

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // G505: BankID's OCSP nonce is SHA-1 of the signature, by its definition
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// The OCSP response is built here rather than with x/crypto/ocsp's
// CreateResponse, which sets producedAt from the real clock and can put
// extensions only on the single response, while BankID's nonce is an extension
// of the whole response.

var (
	oidOCSPBasic   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	oidOCSPNonce   = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}
	oidSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
)

type ocspCertID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

type ocspSingleResponse struct {
	CertID     ocspCertID
	Good       asn1.Flag `asn1:"tag:0,optional"`
	ThisUpdate time.Time `asn1:"generalized"`
	NextUpdate time.Time `asn1:"generalized,explicit,tag:0,optional"`
}

type ocspResponseData struct {
	RawResponderID asn1.RawValue
	ProducedAt     time.Time `asn1:"generalized"`
	Responses      []ocspSingleResponse
	Extensions     []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type ocspBasicResponse struct {
	TBSResponseData    asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
	Certificates       []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type ocspResponseBytes struct {
	ResponseType asn1.ObjectIdentifier
	Response     []byte
}

type ocspResponse struct {
	Status   asn1.Enumerated
	Response ocspResponseBytes `asn1:"explicit,tag:0"`
}

// ocspGood is the responder's DER answer that pc's certificate is good, produced
// at now, with BankID's nonce: SHA-1 over the base64 signature string as the
// relying party receives it, then 12 random bytes.
func (p *signPKI) ocspGood(pc *personCert, signatureB64 string, now time.Time) ([]byte, error) {
	return p.ocspAnswer(p.ocspCert, p.ocspKey, pc, signatureB64, now)
}

// ocspAnswer is ocspGood's answer signed by key, whose certificate responder
// names the responder and travels in the response unless it is the CA's.
func (p *signPKI) ocspAnswer(responder *x509.Certificate, key *ecdsa.PrivateKey, pc *personCert, signatureB64 string, now time.Time) ([]byte, error) {
	nonce := make([]byte, sha1.Size, sha1.Size+12)
	sum := sha1.Sum([]byte(signatureB64)) //nolint:gosec // see import
	copy(nonce, sum[:])
	nonce = nonce[:cap(nonce)]
	_, _ = rand.Read(nonce[sha1.Size:])
	nonceValue, err := asn1.Marshal(nonce)
	if err != nil {
		return nil, err
	}
	now = now.UTC().Truncate(time.Second)
	tbs, err := asn1.Marshal(ocspResponseData{
		RawResponderID: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: responder.RawSubject},
		ProducedAt:     now,
		Responses: []ocspSingleResponse{{
			CertID: ocspCertID{
				HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
				NameHash:      p.nameHash,
				IssuerKeyHash: p.keyHash,
				SerialNumber:  pc.cert.SerialNumber,
			},
			Good:       true,
			ThisUpdate: now,
		}},
		Extensions: []pkix.Extension{{Id: oidOCSPNonce, Value: nonceValue}},
	})
	if err != nil {
		return nil, fmt.Errorf("sim: encode ocsp response: %w", err)
	}
	digest := sha256.Sum256(tbs)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("sim: sign ocsp response: %w", err)
	}
	basic := ocspBasicResponse{
		TBSResponseData:    asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidECDSASHA256},
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	}
	if !responder.Equal(p.caCert) {
		basic.Certificates = []asn1.RawValue{{FullBytes: responder.Raw}}
	}
	basicDER, err := asn1.Marshal(basic)
	if err != nil {
		return nil, fmt.Errorf("sim: encode ocsp response: %w", err)
	}
	return asn1.Marshal(ocspResponse{Status: 0, Response: ocspResponseBytes{ResponseType: oidOCSPBasic, Response: basicDER}})
}
