package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/internal/logging"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// maxKeySetSize caps the JWKS file --evidence-keys reads: years of rotations
// of small ES256 keys with their certificates fit.
const maxKeySetSize = 1 << 20

const (
	verifyUsage = "usage: portvakt evidence verify FILE --evidence-keys JWKS-FILE [--issuer URL] [--audience CLIENT] " +
		"[--bankid-roots PEM-FILE] [--freja-keys FILE]"
	evidenceUsage = verifyUsage + "\n       portvakt evidence keys|rotate --config FILE"
)

// runEvidence verifies exported signature evidence offline, and lists or
// rotates the broker's evidence keys.
func runEvidence(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New(evidenceUsage)
	}
	switch args[0] {
	case "verify":
		return verifyEvidence(args[1:], stdout, stderr, loadNativeVerifiers)
	case "keys", "rotate":
		return evidenceKeys(ctx, args[0], args[1:], stdout, stderr)
	default:
		return fmt.Errorf("unknown subcommand %q\n%s", args[0], evidenceUsage)
	}
}

// nativeLoader builds the eIDs' verifiers from the files the flags name ("":
// not given, that eID's evidence is refused).
type nativeLoader func(bankIDRoots, frejaKeys string) (bankID, freja evidence.NativeVerifier, err error)

// verifyEvidence runs `portvakt evidence verify`: it needs nothing but the
// package and the trust material, no database and no network.
func verifyEvidence(args []string, stdout, stderr io.Writer, load nativeLoader) error {
	fs := flag.NewFlagSet("evidence verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keysFile := fs.String("evidence-keys", "", "the broker's evidence keys, a JWKS file as served at <issuer>/evidence/keys (required)")
	issuer := fs.String("issuer", "", "the issuer the attestation must name (default: any)")
	audience := fs.String("audience", "", "the client the evidence must have been issued to (default: any)")
	bankIDRoots := fs.String("bankid-roots", "", "PEM file of the BankID signing CA roots (needed for BankID evidence)")
	frejaKeys := fs.String("freja-keys", "", "Freja's result-signing keys, PEM or JWKS (needed for Freja evidence)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return errors.New(verifyUsage)
	}
	if *keysFile == "" {
		return errors.New("--evidence-keys JWKS-FILE is required")
	}
	set, err := readKeySet(*keysFile)
	if err != nil {
		return err
	}
	pkg, err := readCapped(files[0], evidence.MaxPackageSize)
	if err != nil {
		return err
	}
	bankID, freja, err := load(*bankIDRoots, *frejaKeys)
	if err != nil {
		return err
	}
	report, err := evidence.Verify(pkg, evidence.VerifyOptions{Keys: set, Issuer: *issuer, Audience: *audience, BankID: bankID, Freja: freja})
	if err != nil {
		return fmt.Errorf("%s: refused: %s check failed: %w", files[0], failedCheck(err), err)
	}
	return printEvidenceReport(stdout, report, *issuer != "")
}

// parseInterspersed parses flags before and after the positional arguments
// (the flag package stops at the first of them).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// failedCheck names the check an error of evidence.Verify reports.
func failedCheck(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{evidence.ErrMalformed, "package"},
		{evidence.ErrUnknownKey, "evidence key"},
		{evidence.ErrKeyCertificate, "evidence key certificate"},
		{evidence.ErrAttestationSignature, "attestation signature"},
		{evidence.ErrIssuer, "issuer"},
		{evidence.ErrAudience, "audience"},
		{evidence.ErrEvidenceID, "evidence id"},
		{evidence.ErrDetailsHash, "authorization_details_sha256"},
		{evidence.ErrTextHash, "text_sha256"},
		{evidence.ErrNativeHash, "native_sha256"},
		{evidence.ErrEvidenceFields, "signer/provider/operation/signed_at"},
		{evidence.ErrContent, "signed content"},
		{evidence.ErrNoTrustAnchors, "trust anchors"},
		{evidence.ErrNative, "native signature"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "verification"
}

func printEvidenceReport(w io.Writer, r *evidence.Report, issuerChecked bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "evidence %s verifies\n", r.EvidenceID)
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  ok  %s\n", c)
	}
	signer := "sub " + r.Signer.Sub
	if id := r.Signer.NationalID; id != nil {
		signer = fmt.Sprintf("%s %s (%s)", id.Country, nationalid.Mask(id.Value), signer)
	}
	if r.Signer.Name != "" {
		signer = r.Signer.Name + ", " + signer
	}
	fmt.Fprintf(&b, "signer:    %s\n", signer)
	fmt.Fprintf(&b, "signed_at: %s\n", r.SignedAt.UTC().Format("2006-01-02T15:04:05Z07:00"))
	fmt.Fprintf(&b, "provider:  %s (%s)\n", r.Provider, r.Operation)
	unchecked := ""
	if !issuerChecked {
		unchecked = " (not checked: pass --issuer)"
	}
	fmt.Fprintf(&b, "issuer:    %s%s, for client %s, key %s\n", r.Issuer, unchecked, r.Audience, r.KeyID)
	_, err := io.WriteString(w, b.String())
	return err
}

// readCapped reads a file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the operator names the file
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

func readKeySet(path string) (jose.JSONWebKeySet, error) {
	data, err := readCapped(path, maxKeySetSize)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("--evidence-keys: %w", err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(data, &set); err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("--evidence-keys %s: not a JWKS: %w", path, err)
	}
	if len(set.Keys) == 0 {
		return jose.JSONWebKeySet{}, fmt.Errorf("--evidence-keys %s: no keys", path)
	}
	return set, nil
}

// evidenceKeys prints the evidence JWKS of the configured database (what
// /evidence/keys serves, for verifiers to keep), or rotates the key.
func evidenceKeys(ctx context.Context, sub string, args []string, stdout, stderr io.Writer) (err error) {
	fs, path := newAdminFlags("evidence "+sub, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *path == "" {
		return errors.New("--config FILE is required")
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, "warn", "text")
	if err != nil {
		return err
	}
	store, err := broker.OpenStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeAfter(&err, store.Close)
	_, sealer, err := broker.OpenKeys(ctx, cfg, store, logger)
	if err != nil {
		return err
	}
	svc, err := evidence.New(ctx, evidence.Options{Store: store, Sealer: sealer, Issuer: cfg.Issuer, Logger: logger})
	if err != nil {
		return err
	}
	if sub == "rotate" {
		if err := svc.Rotate(ctx); err != nil {
			return err
		}
	}
	set, err := svc.KeySet(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(set)
}
