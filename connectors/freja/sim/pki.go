package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// pki is the simulator's own CA with the API server's certificate. Certificates use
// the real clock, not the simulated one, because TLS peers verify them with theirs.
type pki struct {
	caCert    *x509.Certificate
	caKey     *ecdsa.PrivateKey
	caPEM     []byte
	pool      *x509.CertPool
	serverTLS tls.Certificate
}

func newPKI(hosts []string) (*pki, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: generate ca key: %w", err)
	}
	now := time.Now()
	caTemplate := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "Simulated Freja eID Root CA", Organization: []string{"portvakt simulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("sim: create ca certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("sim: parse ca certificate: %w", err)
	}
	p := &pki{caCert: caCert, caKey: caKey, caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), pool: x509.NewCertPool()}
	p.pool.AddCert(caCert)

	serverTemplate := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if ip := net.ParseIP(h); ip != nil {
			serverTemplate.IPAddresses = append(serverTemplate.IPAddresses, ip)
		} else {
			serverTemplate.DNSNames = append(serverTemplate.DNSNames, h)
		}
	}
	certPEM, keyPEM, err := p.issue(serverTemplate)
	if err != nil {
		return nil, err
	}
	p.serverTLS, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("sim: load server certificate: %w", err)
	}
	return p, nil
}

func (p *pki) issue(template *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: generate key: %w", err)
	}
	now := time.Now()
	template.SerialNumber = serial()
	template.NotBefore = now.Add(-time.Hour)
	template.NotAfter = now.Add(2 * 365 * 24 * time.Hour)
	template.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, template, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// verifyConn checks the connection's client certificate. With ServerTLSConfig
// the handshake already verified it against this CA, once per connection; a
// chain check per request would cost an ECDSA verification each time.
func (p *pki) verifyConn(state *tls.ConnectionState) error {
	for _, chain := range state.VerifiedChains {
		if chain[len(chain)-1].Equal(p.caCert) {
			return nil
		}
	}
	return p.verifyClient(state.PeerCertificates)
}

// verifyClient checks that a presented client certificate was issued by this CA,
// for handlers served by a TLS setup that did not already insist on it.
func (p *pki) verifyClient(chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return errors.New("no client certificate")
	}
	intermediates := x509.NewCertPool()
	for _, c := range chain[1:] {
		intermediates.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         p.pool,
		Intermediates: intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	return err
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(err)
	}
	return n
}

// CAPEM returns the simulator CA certificate, the root a connector must pin.
func (s *Simulator) CAPEM() []byte { return append([]byte(nil), s.pki.caPEM...) }

// IssueClientCert issues an RP client certificate signed by the simulator CA.
func (s *Simulator) IssueClientCert(commonName string) (certPEM, keyPEM []byte, err error) {
	return s.pki.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{"Simulated relying party"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

// ServerTLSConfig is the API server's TLS setup: the simulator's server certificate,
// and client certificates required and verified against the simulator CA.
func (s *Simulator) ServerTLSConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{s.pki.serverTLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    s.pki.pool,
		MinVersion:   tls.VersionTLS12,
	}
}
