package mtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Files are a connector's configured client certificate (one of: cert and key
// files, a PKCS#12 file, cert and key PEM) and the root of the API's server
// certificate (a file or PEM).
type Files struct {
	CertFile, KeyFile          string
	PKCS12File, PKCS12Password string
	CertPEM, KeyPEM            string
	CAFile, CAPEM              string
}

// NewHTTPClient returns an HTTP client with its own transport using tlsConfig,
// as an RP API needs the client certificate and a pinned root the shared
// client has not.
func NewHTTPClient(tlsConfig *tls.Config, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:   tlsConfig,
			ForceAttemptHTTP2: true,
			// The API is one host: keep enough connections for a burst of polls
			// when HTTP/2 is not negotiated.
			MaxIdleConns:        128,
			MaxIdleConnsPerHost: 128,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: timeout,
		},
		// The API never redirects; following one would send the client certificate
		// and body somewhere unexpected.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TLSConfig builds the mTLS settings: the client certificate, and the
// configured CA as the only trusted root (never the system pool). A base
// config may supply the certificate or the root instead, which is how an
// in-process simulator is wired. name prefixes errors ("sebankid"); root says
// in an error which root the configuration lacks.
func (f Files) TLSConfig(name, root string, base *tls.Config) (*tls.Config, error) {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	if !f.hasClientCertificate() && len(cfg.Certificates) == 0 {
		return nil, fmt.Errorf("%s: set a client certificate: cert_file+key_file, pkcs12_file or cert_pem+key_pem", name)
	}
	if f.hasClientCertificate() {
		cert, err := f.clientCertificate()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if f.CAFile != "" || f.CAPEM != "" || cfg.RootCAs == nil {
		roots, err := f.rootPool(root)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		cfg.RootCAs = roots
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg, nil
}

func (f Files) hasClientCertificate() bool {
	return f.CertFile != "" || f.KeyFile != "" || f.PKCS12File != "" || f.CertPEM != "" || f.KeyPEM != ""
}

func (f Files) clientCertificate() (tls.Certificate, error) {
	sources := 0
	for _, set := range []bool{f.CertFile != "" || f.KeyFile != "", f.PKCS12File != "", f.CertPEM != "" || f.KeyPEM != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return tls.Certificate{}, errors.New("set exactly one client certificate: cert_file+key_file, pkcs12_file or cert_pem+key_pem")
	}
	switch {
	case f.PKCS12File != "":
		return loadPKCS12(f.PKCS12File, f.PKCS12Password)
	case f.CertFile != "":
		cert, err := tls.LoadX509KeyPair(f.CertFile, f.KeyFile)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("load client certificate: %w", err)
		}
		return cert, nil
	default:
		cert, err := tls.X509KeyPair([]byte(f.CertPEM), []byte(f.KeyPEM))
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("parse client certificate PEM: %w", err)
		}
		return cert, nil
	}
}

func loadPKCS12(path, password string) (tls.Certificate, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the PKCS#12 file in the configuration
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("read pkcs12 file: %w", err)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("decode pkcs12 file: %w", err)
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range chain {
		cert.Certificate = append(cert.Certificate, ca.Raw)
	}
	return cert, nil
}

func (f Files) rootPool(root string) (*x509.CertPool, error) {
	var pemData []byte
	switch {
	case f.CAFile != "" && f.CAPEM != "":
		return nil, errors.New("set ca_file or ca_pem, not both")
	case f.CAFile != "":
		data, err := os.ReadFile(f.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		pemData = data
	case f.CAPEM != "":
		pemData = []byte(f.CAPEM)
	default:
		return nil, fmt.Errorf("set ca_file or ca_pem to %s", root)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, errors.New("no certificate found in the CA PEM")
	}
	return pool, nil
}
