package mtls

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
	"net/http"
	"time"
)

// CA is a simulator's own certificate authority with its API server's
// certificate. Certificates use the real clock, not a simulated one, because
// TLS peers verify them with theirs.
type CA struct {
	cert      *x509.Certificate
	key       *ecdsa.PrivateKey
	pem       []byte
	pool      *x509.CertPool
	serverTLS tls.Certificate
}

// NewCA makes a CA named commonName and its server certificate for localhost,
// the loopback addresses and hosts.
func NewCA(commonName string, hosts []string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sim: generate ca key: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          Serial(),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"portvakt simulator"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("sim: create ca certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("sim: parse ca certificate: %w", err)
	}
	ca := &CA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pool: x509.NewCertPool()}
	ca.pool.AddCert(cert)

	server := &x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, hosts...) {
		if ip := net.ParseIP(h); ip != nil {
			server.IPAddresses = append(server.IPAddresses, ip)
		} else {
			server.DNSNames = append(server.DNSNames, h)
		}
	}
	certPEM, keyPEM, err := ca.Issue(server)
	if err != nil {
		return nil, err
	}
	if ca.serverTLS, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return nil, fmt.Errorf("sim: load server certificate: %w", err)
	}
	return ca, nil
}

// Issue issues a certificate of template (its subject and extended key
// usages) for a new P-256 key, valid for two years.
func (ca *CA) Issue(template *x509.Certificate) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("sim: generate key: %w", err)
	}
	now := time.Now()
	template.SerialNumber = Serial()
	template.NotBefore = now.Add(-time.Hour)
	template.NotAfter = now.Add(2 * 365 * 24 * time.Hour)
	template.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, template, ca.cert, &key.PublicKey, ca.key)
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

// IssueClientCert issues a relying party's client certificate.
func (ca *CA) IssueClientCert(commonName string) (certPEM, keyPEM []byte, err error) {
	return ca.Issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName, Organization: []string{"Simulated relying party"}},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}

// PEM is the CA certificate, the root a connector must pin.
func (ca *CA) PEM() []byte { return append([]byte(nil), ca.pem...) }

// ServerTLSConfig is the API server's TLS setup: its certificate, and client
// certificates required and verified against the CA.
func (ca *CA) ServerTLSConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{ca.serverTLS},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    ca.pool,
		MinVersion:   tls.VersionTLS12,
	}
}

// VerifyConn checks the connection's client certificate. With
// ServerTLSConfig the handshake already verified it against this CA, once per
// connection; a chain check per request would cost an ECDSA verification each
// time.
func (ca *CA) VerifyConn(state *tls.ConnectionState) error {
	if state == nil {
		return errors.New("no TLS")
	}
	for _, chain := range state.VerifiedChains {
		if chain[len(chain)-1].Equal(ca.cert) {
			return nil
		}
	}
	return ca.verifyClient(state.PeerCertificates)
}

// verifyClient checks that a presented client certificate was issued by this
// CA, for handlers served by a TLS setup that did not already insist on it.
func (ca *CA) verifyClient(chain []*x509.Certificate) error {
	if len(chain) == 0 {
		return errors.New("no client certificate")
	}
	intermediates := x509.NewCertPool()
	for _, c := range chain[1:] {
		intermediates.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         ca.pool,
		Intermediates: intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	return err
}

// Serial is a random certificate serial number.
func Serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		// crypto/rand does not fail on supported platforms.
		panic(err)
	}
	return n
}

// Client is an HTTP client of a relying party with a fresh certificate of
// this CA (named commonName) that trusts only this CA: what a test that talks
// to a simulated API directly needs.
func (ca *CA) Client(commonName string, timeout time.Duration) (*http.Client, error) {
	certPEM, keyPEM, err := ca.IssueClientCert(commonName)
	if err != nil {
		return nil, err
	}
	cfg, err := Files{CertPEM: string(certPEM), KeyPEM: string(keyPEM), CAPEM: string(ca.PEM())}.TLSConfig("sim", "the simulator's CA", nil)
	if err != nil {
		return nil, err
	}
	return NewHTTPClient(cfg, timeout), nil
}
