package main

import (
	"crypto/x509"
	"errors"
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

// newBankIDVerifier and newFrejaVerifier wrap the eIDs' verifiers, which live
// in evidence/bankid.go and evidence/freja.go. Where this build lacks them, a
// flag naming trust material for them is an error rather than ignored. Once
// both are in, the bodies are:
//
//	return evidence.BankIDVerifier{Roots: roots}, nil
//	return evidence.NewFrejaVerifier(data)
func newBankIDVerifier(_ *x509.CertPool) (evidence.NativeVerifier, error) {
	return nil, fmt.Errorf("--bankid-roots: %w", errNoVerifier)
}

func newFrejaVerifier(_ []byte) (evidence.NativeVerifier, error) {
	return nil, fmt.Errorf("--freja-keys: %w", errNoVerifier)
}

var errNoVerifier = errors.New("this build has no verifier for the eID's native signatures")
