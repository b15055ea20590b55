package sim

import "crypto/tls"

// apiCAName names the CA of the simulated API's TLS (server and relying
// party certificates).
const apiCAName = "Simulated Freja eID Root CA"

// CAPEM returns the simulator CA certificate, the root a connector must pin.
func (s *Simulator) CAPEM() []byte { return s.pki.PEM() }

// IssueClientCert issues an RP client certificate signed by the simulator CA.
func (s *Simulator) IssueClientCert(commonName string) (certPEM, keyPEM []byte, err error) {
	return s.pki.IssueClientCert(commonName)
}

// ServerTLSConfig is the API server's TLS setup: the simulator's server certificate,
// and client certificates required and verified against the simulator CA.
func (s *Simulator) ServerTLSConfig() *tls.Config { return s.pki.ServerTLSConfig() }
