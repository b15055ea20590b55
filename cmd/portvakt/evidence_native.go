package main

import (
	"crypto/x509"
	"fmt"
	"os"

	"github.com/portvakt/portvakt/evidence"
)

// loadNativeVerifiers reads the trust material the flags name and builds the
// eIDs' native verifiers: evidence.BankIDVerifier{Roots: pool} and
// evidence.FrejaVerifier. An eID whose flag is empty gets none, so its
// evidence is refused as lacking trust anchors.
func loadNativeVerifiers(bankIDRoots, frejaKeys string) (bankID, freja evidence.NativeVerifier, err error) {
	if bankIDRoots != "" {
		pem, err := readCapped(bankIDRoots, 1<<20)
		if err != nil {
			return nil, nil, fmt.Errorf("--bankid-roots: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("--bankid-roots %s: no PEM certificates", bankIDRoots)
		}
		if bankID, err = newBankIDVerifier(pool); err != nil {
			return nil, nil, err
		}
	}
	if frejaKeys != "" {
		data, err := os.ReadFile(frejaKeys) //nolint:gosec // G304: the operator names the file
		if err != nil {
			return nil, nil, fmt.Errorf("--freja-keys: %w", err)
		}
		if freja, err = newFrejaVerifier(data); err != nil {
			return nil, nil, fmt.Errorf("--freja-keys %s: %w", frejaKeys, err)
		}
	}
	return bankID, freja, nil
}

// newBankIDVerifier checks BankID's XML signature and OCSP response against
// the roots.
func newBankIDVerifier(roots *x509.CertPool) (evidence.NativeVerifier, error) {
	return evidence.BankIDVerifier{Roots: roots}, nil
}

// newFrejaVerifier checks Freja's signed results against its certificates
// or keys (PEM or a JWKS).
func newFrejaVerifier(data []byte) (evidence.NativeVerifier, error) {
	return evidence.NewFrejaVerifier(data)
}
