package freja

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

// NewHTTPClient returns an HTTP client with its own transport using tlsConfig,
// the RP API needs the client certificate and a pinned root the shared client has not.
func NewHTTPClient(tlsConfig *tls.Config, timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			TLSClientConfig:   tlsConfig,
			ForceAttemptHTTP2: true,
			// Freja is one host: keep enough connections for a burst of polls
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

// tlsConfig builds the mTLS settings: the RP certificate, and the configured CA as
// the only trusted root (never the system pool). A base config from Deps may supply
// the certificate or the root instead, which is how an in-process simulator is wired.
func (c *Config) tlsConfig(base *tls.Config) (*tls.Config, error) {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	if !c.hasClientCertificate() && len(cfg.Certificates) == 0 {
		return nil, errors.New("freja: set a client certificate: cert_file+key_file, pkcs12_file or cert_pem+key_pem")
	}
	if c.hasClientCertificate() {
		cert, err := c.clientCertificate()
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	if c.CAFile != "" || c.CAPEM != "" || cfg.RootCAs == nil {
		roots, err := c.rootPool()
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = roots
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg, nil
}

func (c *Config) hasClientCertificate() bool {
	return c.CertFile != "" || c.KeyFile != "" || c.PKCS12File != "" || c.CertPEM != "" || c.KeyPEM != ""
}

func (c *Config) clientCertificate() (tls.Certificate, error) {
	sources := 0
	for _, set := range []bool{c.CertFile != "" || c.KeyFile != "", c.PKCS12File != "", c.CertPEM != "" || c.KeyPEM != ""} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return tls.Certificate{}, errors.New("freja: set exactly one client certificate: cert_file+key_file, pkcs12_file or cert_pem+key_pem")
	}
	switch {
	case c.PKCS12File != "":
		return loadPKCS12(c.PKCS12File, c.PKCS12Password)
	case c.CertFile != "":
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("freja: load client certificate: %w", err)
		}
		return cert, nil
	default:
		cert, err := tls.X509KeyPair([]byte(c.CertPEM), []byte(c.KeyPEM))
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("freja: parse client certificate PEM: %w", err)
		}
		return cert, nil
	}
}

func loadPKCS12(path, password string) (tls.Certificate, error) {
	data, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the PKCS#12 file in the configuration
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("freja: read pkcs12 file: %w", err)
	}
	key, leaf, chain, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("freja: decode pkcs12 file: %w", err)
	}
	cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
	for _, ca := range chain {
		cert.Certificate = append(cert.Certificate, ca.Raw)
	}
	return cert, nil
}

func (c *Config) rootPool() (*x509.CertPool, error) {
	var pemData []byte
	switch {
	case c.CAFile != "" && c.CAPEM != "":
		return nil, errors.New("freja: set ca_file or ca_pem, not both")
	case c.CAFile != "":
		data, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("freja: read ca_file: %w", err)
		}
		pemData = data
	case c.CAPEM != "":
		pemData = []byte(c.CAPEM)
	default:
		return nil, errors.New("freja: set ca_file or ca_pem to the root of Freja's service certificate")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, errors.New("freja: no certificate found in the CA PEM")
	}
	return pool, nil
}
