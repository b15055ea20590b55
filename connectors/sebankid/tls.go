package sebankid

import (
	"crypto/tls"

	"github.com/portvakt/portvakt/connectors/mtls"
)

// tlsConfig builds the mTLS settings: the RP certificate, and the configured CA as
// the only trusted root (never the system pool). A base config from Deps may supply
// the certificate or the root instead, which is how an in-process simulator is wired.
func (c *Config) tlsConfig(base *tls.Config) (*tls.Config, error) {
	files := mtls.Files{
		CertFile: c.CertFile, KeyFile: c.KeyFile, PKCS12File: c.PKCS12File, PKCS12Password: c.PKCS12Password,
		CertPEM: c.CertPEM, KeyPEM: c.KeyPEM, CAFile: c.CAFile, CAPEM: c.CAPEM,
	}
	return files.TLSConfig("sebankid", "the BankID SSL root certificate", base)
}
