package sim

import (
	"crypto/tls"
	"net/http"
	"time"
)

// apiCAName names the CA of the simulated API's TLS (server and relying
// party certificates).
const apiCAName = "Simulated BankID SSL Root CA"

// CAPEM returns the simulator CA certificate, the root a connector must pin.
func (s *Simulator) CAPEM() []byte { return s.pki.PEM() }

// IssueClientCert issues an RP client certificate signed by the simulator CA.
func (s *Simulator) IssueClientCert(commonName string) (certPEM, keyPEM []byte, err error) {
	return s.pki.IssueClientCert(commonName)
}

// ServerTLSConfig is the API server's TLS setup: the simulator's server certificate,
// and client certificates required and verified against the simulator CA.
func (s *Simulator) ServerTLSConfig() *tls.Config { return s.pki.ServerTLSConfig() }

// RPClient is an HTTP client of a relying party with a fresh certificate of
// the simulator CA, trusting only that CA: for tests that call the API
// directly.
func (s *Simulator) RPClient(commonName string) (*http.Client, error) {
	return s.pki.Client(commonName, 10*time.Second)
}
