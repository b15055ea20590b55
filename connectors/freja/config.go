package freja

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/mtls"
)

// The Relying Party API's hosts and the app links of each environment.
const (
	ProductionBaseURL = "https://services.prod.frejaeid.com"
	TestBaseURL       = "https://services.test.frejaeid.com"
	ProductionAppURL  = "https://app.prod.frejaeid.com/freja"
	TestAppURL        = "https://app.test.frejaeid.com/freja"
)

const defaultRequestTimeout = 10 * time.Second

// Config configures the connector. The relying party's certificate and the API's
// root work as for Swedish BankID; jws_cert_* is the certificate Freja signs
// results with, the only key a result's details are trusted under.
type Config struct {
	// BaseURL overrides the environment's service host.
	BaseURL string `json:"base_url,omitempty"`
	// Environment is "test" or "production"; it picks BaseURL and AppURL when
	// they are empty.
	Environment string `json:"environment,omitempty"`
	// AppURL is the app link a dynamic QR code carries.
	AppURL string `json:"app_url,omitempty"`

	CertFile       string `json:"cert_file,omitempty"`
	KeyFile        string `json:"key_file,omitempty"`
	PKCS12File     string `json:"pkcs12_file,omitempty"`
	PKCS12Password string `json:"pkcs12_password,omitempty"`
	CertPEM        string `json:"cert_pem,omitempty"`
	KeyPEM         string `json:"key_pem,omitempty"`
	CAFile         string `json:"ca_file,omitempty"`
	CAPEM          string `json:"ca_pem,omitempty"`
	// JWSCertFile or JWSCertPEM hold Freja's result-signing certificates (PEM,
	// several during a key rollover).
	JWSCertFile string `json:"jws_cert_file,omitempty"`
	JWSCertPEM  string `json:"jws_cert_pem,omitempty"`

	// RelyingPartyID is sent when the broker is an integrator acting for a
	// relying party; empty otherwise.
	RelyingPartyID string `json:"relying_party_id,omitempty"`
	// Countries are the personal numbers' countries Freja is offered for (SE,
	// NO, DK, FI); default all four.
	Countries []string `json:"countries,omitempty"`
	// MinRegistrationLevel is the lowest level accepted when the login needs
	// no more than low: EXTENDED (default) or PLUS. BASIC carries no personal
	// number and is refused.
	MinRegistrationLevel string `json:"min_registration_level,omitempty"`
	// RequestTimeout bounds each API call; default 10s.
	RequestTimeout Duration `json:"request_timeout,omitempty"`

	// Now replaces the clock (for tests); nil means time.Now.
	Now func() time.Time `json:"-"`
}

// Duration is connectors.Duration: "10s" or a number of seconds in JSON.
type Duration = connectors.Duration

// Open loads the certificates and returns the connector.
func (c *Config) Open(_ context.Context, id string, deps connectors.Deps) (connectors.Connector, error) {
	return c.open(id, deps)
}

func (c *Config) open(id string, deps connectors.Deps) (*Connector, error) {
	baseURL, appURL, err := c.urls()
	if err != nil {
		return nil, err
	}
	countries, err := c.countries()
	if err != nil {
		return nil, err
	}
	level := strings.ToUpper(c.MinRegistrationLevel)
	switch level {
	case "":
		level = LevelExtended
	case LevelExtended, LevelPlus:
	default:
		return nil, fmt.Errorf("freja: min_registration_level %q: want EXTENDED or PLUS", c.MinRegistrationLevel)
	}
	trust, err := c.jwsCertificates()
	if err != nil {
		return nil, err
	}
	tlsConfig, err := c.tlsConfig(deps.TLSClientConfig)
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(c.RequestTimeout)
	if timeout <= 0 {
		timeout = defaultRequestTimeout
	}
	client, err := NewClient(baseURL, mtls.NewHTTPClient(tlsConfig, timeout), c.RelyingPartyID)
	if err != nil {
		return nil, err
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	if id == "" {
		id = "freja"
	}
	return &Connector{
		id: id, client: client, logger: logger.With("connector", id), now: now,
		appURL: appURL, countries: countries, minLevel: level,
		verifier: &detailsVerifier{certs: trust},
	}, nil
}

func (c *Config) urls() (baseURL, appURL string, err error) {
	switch strings.ToLower(c.Environment) {
	case "production":
		baseURL, appURL = ProductionBaseURL, ProductionAppURL
	case "test":
		baseURL, appURL = TestBaseURL, TestAppURL
	case "":
		if c.BaseURL == "" || c.AppURL == "" {
			return "", "", errors.New("freja: set environment (test or production), or base_url and app_url")
		}
	default:
		return "", "", fmt.Errorf("freja: unknown environment %q (want test or production)", c.Environment)
	}
	if c.BaseURL != "" {
		baseURL = c.BaseURL
	}
	if c.AppURL != "" {
		appURL = c.AppURL
	}
	return baseURL, appURL, nil
}

// countries checks the configured countries against the broker's.
func (c *Config) countries() ([]string, error) {
	if len(c.Countries) == 0 {
		return []string{"SE", "NO", "DK", "FI"}, nil
	}
	var out []string
	for _, country := range c.Countries {
		country = strings.ToUpper(strings.TrimSpace(country))
		if idTypeOf(country) == "" {
			return nil, fmt.Errorf("freja: countries: %q is not one of SE, NO, DK, FI", country)
		}
		if !slices.Contains(out, country) {
			out = append(out, country)
		}
	}
	return out, nil
}

func (c *Config) jwsCertificates() ([]*x509.Certificate, error) {
	var data []byte
	switch {
	case c.JWSCertFile != "" && c.JWSCertPEM != "":
		return nil, errors.New("freja: set jws_cert_file or jws_cert_pem, not both")
	case c.JWSCertFile != "":
		b, err := os.ReadFile(c.JWSCertFile)
		if err != nil {
			return nil, fmt.Errorf("freja: read jws_cert_file: %w", err)
		}
		data = b
	case c.JWSCertPEM != "":
		data = []byte(c.JWSCertPEM)
	default:
		return nil, errors.New("freja: set jws_cert_file or jws_cert_pem to Freja's result-signing certificate")
	}
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("freja: parse jws certificate: %w", err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, errors.New("freja: no certificate found in the jws certificate PEM")
	}
	return certs, nil
}
