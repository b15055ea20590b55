package devmode

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"

	"github.com/portvakt/portvakt/evidence"
)

// Trust files dev mode keeps in its data directory for `portvakt evidence
// verify`: the simulated eIDs' signing roots. The simulators make new ones at
// every start, so each start appends its own and a package signed in an
// earlier run still verifies.
const (
	bankIDRootsFile = "bankid-signing-roots.pem"
	frejaKeysFile   = "freja-signing-keys.pem"
)

// evidenceTrust is what the demo checks signatures' evidence against: the
// simulated BankID's signing root and the simulated Freja's result-signing
// certificate, as a relying party would configure the real eIDs'.
func (s *Simulators) evidenceTrust() (evidence.VerifyOptions, error) {
	var o evidence.VerifyOptions
	if s.BankID != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(s.BankID.SigningRootPEM()) {
			return o, fmt.Errorf("the BankID simulator's signing root is not PEM")
		}
		o.BankID = evidence.BankIDVerifier{Roots: pool}
	}
	if s.Freja != nil {
		freja, err := evidence.NewFrejaVerifier(s.Freja.JWSCertPEM())
		if err != nil {
			return o, fmt.Errorf("the Freja simulator's certificate: %w", err)
		}
		o.Freja = freja
	}
	return o, nil
}

// writeEvidenceTrust appends this run's signing roots to the trust files in
// dir, unless they are there already.
func (s *Simulators) writeEvidenceTrust(dir string) error {
	if s.BankID != nil {
		if err := appendPEM(filepath.Join(dir, bankIDRootsFile), s.BankID.SigningRootPEM()); err != nil {
			return err
		}
	}
	if s.Freja != nil {
		if err := appendPEM(filepath.Join(dir, frejaKeysFile), s.Freja.JWSCertPEM()); err != nil {
			return err
		}
	}
	return nil
}

func appendPEM(path string, block []byte) error {
	have, err := os.ReadFile(path) //nolint:gosec // G304: dev mode's own data directory
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if bytes.Contains(have, bytes.TrimSpace(block)) {
		return nil
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600) //nolint:gosec // G304: as above
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(block); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
