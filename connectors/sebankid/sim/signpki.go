package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // G505: OCSP's CertID names the issuer by SHA-1, as every responder does
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"
	"time"

	"github.com/portvakt/portvakt/connectors/mtls"
)

// maxCachedUsers bounds the per-person certificate cache: dev mode lets a tester
// type any number, and a long run must not grow without end.
const maxCachedUsers = 10000

// signPKI is the simulator's signing CA, separate from its TLS CA as BankID's
// are: it issues each person's certificate and the OCSP responder's. Keys and
// certificates are made once per person and kept, so an order's signature costs
// two ECDSA signatures (the XML and the OCSP response) and no key generation.
type signPKI struct {
	caCert *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPEM  []byte
	// caB64 is the CA certificate as KeyInfo carries it.
	caB64 string
	// nameHash and keyHash name the CA in OCSP CertIDs (SHA-1, as responders do).
	nameHash, keyHash []byte

	ocspCert *x509.Certificate
	ocspKey  *ecdsa.PrivateKey

	notBefore, notAfter time.Time

	mu    sync.Mutex
	users map[string]*personCert
}

// personCert is one person's BankID: key and certificate.
type personCert struct {
	key     *ecdsa.PrivateKey
	cert    *x509.Certificate
	certB64 string // the certificate as KeyInfo carries it
}

// newSignPKI makes the signing CA and OCSP responder. Their validity covers both
// the real clock and the simulated one (tests start it in the past), so that a
// signature is valid at the time the simulator says it was made.
func newSignPKI(simNow time.Time) (*signPKI, error) {
	earliest, latest := time.Now(), simNow
	if latest.Before(earliest) {
		earliest, latest = latest, earliest
	}
	p := &signPKI{
		notBefore: earliest.Add(-48 * time.Hour).Truncate(time.Second),
		notAfter:  latest.Add(20 * 365 * 24 * time.Hour).Truncate(time.Second),
		users:     map[string]*personCert{},
	}
	var err error
	if p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("sim: generate signing ca key: %w", err)
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          mtls.Serial(),
		Subject:               pkix.Name{CommonName: "Simulated BankID Signing Root CA", Organization: []string{"portvakt simulator"}, Country: []string{"SE"}},
		NotBefore:             p.notBefore,
		NotAfter:              p.notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		return nil, fmt.Errorf("sim: create signing ca: %w", err)
	}
	if p.caCert, err = x509.ParseCertificate(caDER); err != nil {
		return nil, fmt.Errorf("sim: parse signing ca: %w", err)
	}
	p.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	p.caB64 = base64.StdEncoding.EncodeToString(caDER)
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(p.caCert.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, fmt.Errorf("sim: signing ca key: %w", err)
	}
	nameHash := sha1.Sum(p.caCert.RawSubject)        //nolint:gosec // see import
	keyHash := sha1.Sum(spki.PublicKey.RightAlign()) //nolint:gosec // see import
	p.nameHash, p.keyHash = nameHash[:], keyHash[:]

	if p.ocspKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, fmt.Errorf("sim: generate ocsp key: %w", err)
	}
	p.ocspCert, err = p.issueCert(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "Simulated BankID OCSP Responder", Organization: []string{"portvakt simulator"}, Country: []string{"SE"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}, &p.ocspKey.PublicKey)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *signPKI) issueCert(template *x509.Certificate, pub *ecdsa.PublicKey) (*x509.Certificate, error) {
	template.SerialNumber = mtls.Serial()
	template.NotBefore, template.NotAfter = p.notBefore, p.notAfter
	der, err := x509.CreateCertificate(rand.Reader, template, p.caCert, pub, p.caKey)
	if err != nil {
		return nil, fmt.Errorf("sim: issue certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// Object identifiers of the person's name parts in the certificate subject.
var (
	oidGivenName = asn1.ObjectIdentifier{2, 5, 4, 42}
	oidSurname   = asn1.ObjectIdentifier{2, 5, 4, 4}
)

// person returns the person's key and certificate, issuing them at first use.
// The subject carries the personal number as serialNumber, as BankID's do.
func (p *signPKI) person(u TestUser) (*personCert, error) {
	p.mu.Lock()
	pc, ok := p.users[u.PersonalNumber]
	p.mu.Unlock()
	if ok {
		return pc, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: generate person key: %w", err)
	}
	cert, err := p.issueCert(&x509.Certificate{
		Subject: pkix.Name{
			CommonName:   u.Name(),
			SerialNumber: u.PersonalNumber,
			Country:      []string{"SE"},
			ExtraNames: []pkix.AttributeTypeAndValue{
				{Type: oidGivenName, Value: u.GivenName},
				{Type: oidSurname, Value: u.Surname},
			},
		},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	pc = &personCert{key: key, cert: cert, certB64: base64.StdEncoding.EncodeToString(cert.Raw)}
	p.mu.Lock()
	defer p.mu.Unlock()
	if other, ok := p.users[u.PersonalNumber]; ok {
		return other, nil // another order issued it meanwhile: keep one per person
	}
	if len(p.users) >= maxCachedUsers {
		clear(p.users)
	}
	p.users[u.PersonalNumber] = pc
	return pc, nil
}

// SigningRootPEM returns the simulator's signing root: the CA of its people's
// certificates and of its OCSP responder, the trust anchor for checking its
// signatures. It is not the TLS CA of CAPEM.
func (s *Simulator) SigningRootPEM() []byte { return append([]byte(nil), s.signing.caPEM...) }
