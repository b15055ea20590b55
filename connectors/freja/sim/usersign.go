package sim

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"sync"
	"time"

	"github.com/portvakt/portvakt/connectors/mtls"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/crypto/ocsp"

	"github.com/portvakt/portvakt/connectors/freja"
)

// userSigners hold each person's signing key and certificate, as the Freja
// app holds one per person, issued by a user CA of the simulator's own
// (distinct from its TLS CA). Keys are made once per person and kept, so a
// signature costs one ECDSA signing and one OCSP response.
type userSigners struct {
	mu      sync.Mutex
	caCert  *x509.Certificate
	caKey   *ecdsa.PrivateKey
	persons map[string]*userSigner
}

// userSigner is one person's key.
type userSigner struct {
	cert   *x509.Certificate
	signer jose.Signer
}

// get returns u's signer, making the CA and u's key on first use.
func (us *userSigners) get(u TestUser) (*userSigner, error) {
	us.mu.Lock()
	defer us.mu.Unlock()
	if us.caKey == nil {
		if err := us.makeCA(); err != nil {
			return nil, err
		}
	}
	if s, ok := us.persons[personKey(u)]; ok {
		return s, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: generate user key: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber: mtls.Serial(),
		Subject: pkix.Name{
			CommonName: u.Name(), SerialNumber: u.SSN, Country: []string{u.Country},
			Organization: []string{"portvakt simulator"},
		},
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.Add(2 * 365 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, us.caCert, &key.PublicKey, us.caKey)
	if err != nil {
		return nil, fmt.Errorf("sim: create user certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	opts := (&jose.SignerOptions{}).WithHeader("x5c", []string{base64.StdEncoding.EncodeToString(der)})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, opts)
	if err != nil {
		return nil, fmt.Errorf("sim: user signer: %w", err)
	}
	s := &userSigner{cert: cert, signer: signer}
	if us.persons == nil {
		us.persons = map[string]*userSigner{}
	}
	us.persons[personKey(u)] = s
	return s, nil
}

func (us *userSigners) makeCA() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("sim: generate user ca key: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          mtls.Serial(),
		Subject:               pkix.Name{CommonName: "Simulated Freja eID User CA", Organization: []string{"portvakt simulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("sim: create user ca: %w", err)
	}
	if us.caCert, err = x509.ParseCertificate(der); err != nil {
		return err
	}
	us.caKey = key
	return nil
}

// signatureData is a signature result's signatureData for u signing text and
// binary: the person's JWS over them (the text for SIMPLE; base64url(text)
// "." base64url(binary) for EXTENDED) and the OCSP response that their
// certificate was good at now.
func (s *Simulator) signatureData(u TestUser, signatureType string, text, binary []byte, now time.Time) (map[string]string, error) {
	payload := text
	if signatureType == freja.SignatureTypeExtended {
		payload = []byte(base64.RawURLEncoding.EncodeToString(text) + "." + base64.RawURLEncoding.EncodeToString(binary))
	}
	us, err := s.users.get(u)
	if err != nil {
		return nil, err
	}
	obj, err := us.signer.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("sim: user signature: %w", err)
	}
	userSignature, err := obj.CompactSerialize()
	if err != nil {
		return nil, err
	}
	status, err := ocsp.CreateResponse(s.users.caCert, s.users.caCert, ocsp.Response{
		Status: ocsp.Good, SerialNumber: us.cert.SerialNumber,
		ThisUpdate: now, NextUpdate: now.Add(time.Hour),
	}, crypto.Signer(s.users.caKey))
	if err != nil {
		return nil, fmt.Errorf("sim: certificate status: %w", err)
	}
	return map[string]string{
		"userSignature":     userSignature,
		"certificateStatus": base64.StdEncoding.EncodeToString(status),
	}, nil
}
