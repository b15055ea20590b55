package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/internal/logging"
	"github.com/portvakt/portvakt/internal/testid"
)

// acceptAll stands in for an eID's native verifier in these tests.
type acceptAll struct{}

func (acceptAll) VerifyNative(*evidence.Evidence) error { return nil }

func fakeLoader(bankIDRoots, frejaKeys string) (evidence.NativeVerifier, evidence.NativeVerifier, error) {
	var bankID, freja evidence.NativeVerifier
	if bankIDRoots != "" {
		bankID = acceptAll{}
	}
	if frejaKeys != "" {
		freja = acceptAll{}
	}
	return bankID, freja, nil
}

// issuedPackage issues BankID evidence in the configured database and writes
// its export package and the evidence keys (from `portvakt evidence keys`).
func issuedPackage(t *testing.T) (pkgFile, keysFile, personalNumber string, d evidence.SignDetails) {
	t.Helper()
	cfgPath, _ := cliConfig(t)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	logger, _ := logging.New(os.Stderr, "warn", "text")
	store, err := broker.OpenStore(t.Context(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = store.Close() }()
	_, sealer, err := broker.OpenKeys(t.Context(), cfg, store, logger)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := evidence.New(t.Context(), evidence.Options{Store: store, Sealer: sealer, Issuer: cfg.Issuer})
	if err != nil {
		t.Fatal(err)
	}
	personalNumber = testid.Personnummer(time.Date(1984, 7, 12, 0, 0, 0, 0, time.UTC), 456)
	details := evidence.SignDetails{Type: evidence.SignType, Text: "I accept the terms."}
	d, err = svc.Issue(t.Context(), evidence.IssueInput{
		ClientID: "demo", Subject: "sub-1", Details: details,
		Identity: connectors.Identity{
			Connector: "se-bankid", Country: "SE", NationalID: personalNumber, Name: "Test Person",
			Signature: &connectors.Signature{
				Operation: "rp/v6.0/sign", SignedAt: time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC),
				VisibleData: base64.StdEncoding.EncodeToString([]byte(details.Text)),
				Native:      map[string]string{evidence.NativeBankIDSignature: "PFNpZ25hdHVyZT4=", evidence.NativeBankIDOCSP: "MIIB"},
			},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pkgFile, keysFile = filepath.Join(dir, "evidence.json"), filepath.Join(dir, "keys.json")
	writePackage(t, pkgFile, d)
	if err := os.WriteFile(keysFile, []byte(runCLI(t, 0, "evidence", "keys", "--config", cfgPath)), 0o600); err != nil {
		t.Fatal(err)
	}
	return pkgFile, keysFile, personalNumber, d
}

func writePackage(t *testing.T, path string, d evidence.SignDetails) {
	t.Helper()
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestEvidenceVerifyCommand(t *testing.T) {
	pkg, keys, pnr, d := issuedPackage(t)
	var stdout, stderr bytes.Buffer
	// Flags after the file too.
	err := verifyEvidence([]string{pkg, "--evidence-keys", keys, "--issuer", "http://127.0.0.1:8080", "--bankid-roots", "roots.pem"},
		&stdout, &stderr, fakeLoader)
	if err != nil {
		t.Fatalf("verify: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"evidence " + d.Evidence.ID + " verifies", "ok  attestation", "ok  text_sha256", "ok  BankID native signature",
		"SE **********" + pnr[10:], "signed_at: 2026-12-05T04:00:00Z", "provider:  se-bankid",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, pnr) {
		t.Error("output shows the national id in clear")
	}
}

// TestEvidenceVerifyCommandRefuses: every refusal exits non-zero with one
// line naming the failed check.
func TestEvidenceVerifyCommandRefuses(t *testing.T) {
	pkg, keys, _, d := issuedPackage(t)
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	d.Text = "I accept nothing."
	writePackage(t, tampered, d)
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no trust anchors", []string{pkg, "--evidence-keys", keys}, "trust anchors check failed"},
		{"tampered text", []string{tampered, "--evidence-keys", keys, "--bankid-roots", garbage}, "authorization_details_sha256 check failed"},
		{"other issuer", []string{"--issuer", "https://other.example", "--evidence-keys", keys, pkg}, "issuer check failed"},
		{"no keys flag", []string{pkg}, "--evidence-keys"},
		{"keys file not a JWKS", []string{pkg, "--evidence-keys", garbage}, "not a JWKS"},
		{"no file", []string{"--evidence-keys", keys}, "usage"},
		{"missing file", []string{"--evidence-keys", keys, "/nonexistent/evidence.json"}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loader := fakeLoader
			if tc.name == "tampered text" {
				// Refused by the attestation before the eID's signature is looked at.
				loader = func(string, string) (evidence.NativeVerifier, evidence.NativeVerifier, error) {
					return acceptAll{}, nil, nil
				}
			}
			err := verifyEvidence(tc.args, &bytes.Buffer{}, &bytes.Buffer{}, loader)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("verify = %v, want one line with %q", err, tc.want)
			}
		})
	}

	// Through the command line: exit status and the one line on stderr.
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"evidence", "verify", tampered, "--evidence-keys", keys}, &stdout, &stderr); code == 0 {
		t.Fatal("verify of a tampered package exited 0")
	}
	if line := strings.TrimSpace(stderr.String()); strings.Count(line, "\n") != 0 || !strings.Contains(line, "check failed") {
		t.Errorf("stderr = %q, want one line naming the check", stderr.String())
	}
	if code := run(t.Context(), []string{"evidence", "verify", pkg, "--evidence-keys", keys, "--bankid-roots", garbage}, &stdout, &stderr); code == 0 {
		t.Error("verify with a roots file without certificates exited 0")
	}
}

func TestLoadNativeVerifiersNone(t *testing.T) {
	bankID, freja, err := loadNativeVerifiers("", "")
	if err != nil || bankID != nil || freja != nil {
		t.Errorf("loadNativeVerifiers with no files = %v, %v, %v", bankID, freja, err)
	}
	if _, _, err := loadNativeVerifiers("/nonexistent/roots.pem", ""); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing roots file: %v", err)
	}
}
