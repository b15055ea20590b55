package sebankid

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/template"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/mtls"
)

// The RP API base URLs.
const (
	ProductionBaseURL = "https://appapi2.bankid.com/rp/v6.0/"
	TestBaseURL       = "https://appapi2.test.bankid.com/rp/v6.0/"
)

const defaultRequestTimeout = 10 * time.Second

// Config configures the connector. The RP certificate is given as PEM files, a
// PKCS#12 file or inline PEM; the CA is BankID's SSL root for the environment and is
// the only certificate trusted for the API.
type Config struct {
	// BaseURL overrides the environment's API URL (it ends in /rp/v6.0/).
	BaseURL string `json:"base_url,omitempty"`
	// Environment is "test" or "production"; it picks the URL when BaseURL is empty.
	Environment string `json:"environment,omitempty"`

	CertFile       string `json:"cert_file,omitempty"`
	KeyFile        string `json:"key_file,omitempty"`
	PKCS12File     string `json:"pkcs12_file,omitempty"`
	PKCS12Password string `json:"pkcs12_password,omitempty"`
	CertPEM        string `json:"cert_pem,omitempty"`
	KeyPEM         string `json:"key_pem,omitempty"`
	CAFile         string `json:"ca_file,omitempty"`
	CAPEM          string `json:"ca_pem,omitempty"`

	// SigningRootsFile or SigningRootsPEM (one of them) are the roots BankID's
	// signing certificates chain to: the people's certificates and the OCSP
	// responder's, not the API's TLS root of ca_file. With them the connector
	// signs: each completed signature and its OCSP response are checked against
	// these roots and what was sent before the broker accepts them, so only
	// evidence that verifies offline is handed on. Without them the connector
	// does not offer signing at all (Info.Signing is nil and it is no
	// connectors.Signer): an unchecked signature is no evidence. Logins never
	// need them.
	SigningRootsFile string `json:"signing_roots_file,omitempty"`
	SigningRootsPEM  string `json:"signing_roots_pem,omitempty"`

	// RequestTimeout bounds each API call ("10s" or seconds); default 10s.
	RequestTimeout Duration `json:"request_timeout,omitempty"`
	// CertificatePolicies restricts which BankIDs may be used (OIDs). Empty means any.
	CertificatePolicies []string `json:"certificate_policies,omitempty"`
	// PinCode makes the person use the security code even when biometrics are on.
	PinCode bool `json:"pin_code,omitempty"`
	// ReturnRisk asks BankID for its risk assessment, kept in the evidence.
	ReturnRisk bool `json:"return_risk,omitempty"`
	// UserVisibleData is a text/template for the text shown in the app (simple
	// markdown). Fields: .ClientName, .ReferenceText, .Method. Without a template the
	// request's ReferenceText, if any, is shown as it is.
	UserVisibleData string `json:"user_visible_data,omitempty"`

	// Now replaces the clock (for tests); nil means time.Now.
	Now func() time.Time `json:"-"`
}

// Open loads the certificates and returns the connector.
// Without signing roots the connector is returned without its signing
// capability.
func (c *Config) Open(ctx context.Context, id string, deps connectors.Deps) (connectors.Connector, error) {
	conn, err := c.open(id, deps)
	if err != nil {
		return nil, err
	}
	if conn.signingRoots == nil {
		p := connectors.Split(conn)
		p.Sign = nil
		return connectors.Assemble(p), nil
	}
	return conn, nil
}

func (c *Config) open(id string, deps connectors.Deps) (*Connector, error) {
	baseURL, err := c.baseURL()
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
	client, err := NewClient(baseURL, mtls.NewHTTPClient(tlsConfig, timeout))
	if err != nil {
		return nil, err
	}
	var visible *template.Template
	if c.UserVisibleData != "" {
		visible, err = template.New("user_visible_data").Option("missingkey=error").Parse(c.UserVisibleData)
		if err != nil {
			return nil, fmt.Errorf("sebankid: parse user_visible_data template: %w", err)
		}
	}
	signingRoots, err := c.signingRootPool()
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
		id = "se-bankid"
	}
	return &Connector{
		id:                  id,
		client:              client,
		logger:              logger.With("connector", id),
		now:                 now,
		certificatePolicies: append([]string(nil), c.CertificatePolicies...),
		pinCode:             c.PinCode,
		returnRisk:          c.ReturnRisk,
		userVisibleData:     visible,
		referringDomain:     hostOf(deps.BaseURL),
		signingRoots:        signingRoots,
	}, nil
}

func (c *Config) baseURL() (string, error) {
	if c.BaseURL != "" {
		return c.BaseURL, nil
	}
	switch strings.ToLower(c.Environment) {
	case "production":
		return ProductionBaseURL, nil
	case "test":
		return TestBaseURL, nil
	case "":
		return "", errors.New("sebankid: set environment (test or production) or base_url")
	}
	return "", fmt.Errorf("sebankid: unknown environment %q (want test or production)", c.Environment)
}

// Duration is connectors.Duration: "10s" or a number of seconds in JSON.
type Duration = connectors.Duration

// signingRootPool reads the signing roots, nil when none are configured.
func (c *Config) signingRootPool() (*x509.CertPool, error) {
	var pemData []byte
	switch {
	case c.SigningRootsFile != "" && c.SigningRootsPEM != "":
		return nil, errors.New("sebankid: set signing_roots_file or signing_roots_pem, not both")
	case c.SigningRootsFile != "":
		data, err := os.ReadFile(c.SigningRootsFile)
		if err != nil {
			return nil, fmt.Errorf("sebankid: read signing_roots_file: %w", err)
		}
		pemData = data
	case c.SigningRootsPEM != "":
		pemData = []byte(c.SigningRootsPEM)
	default:
		return nil, nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemData) {
		return nil, errors.New("sebankid: no certificate found in the signing roots PEM")
	}
	return pool, nil
}
