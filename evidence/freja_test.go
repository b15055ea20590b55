package evidence_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/evidence/frejasig"
)

// frejaEvidence signs d through the Freja connector against an auto-approving
// simulator and returns the evidence as the broker would build it, with the
// simulator's result-signing certificate.
func frejaEvidence(t *testing.T, d evidence.SignDetails) (*evidence.Evidence, []byte) {
	t.Helper()
	s, err := sim.New(sim.Options{AutoApprove: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewTestServer()
	t.Cleanup(srv.Close)
	certPEM, keyPEM, err := s.IssueClientCert("Evidence test")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &freja.Config{
		Environment: "test", BaseURL: srv.URL, CAPEM: string(s.CAPEM()),
		CertPEM: string(certPEM), KeyPEM: string(keyPEM), JWSCertPEM: string(s.JWSCertPEM()),
	}
	conn, err := cfg.Open(context.Background(), "freja", connectors.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	content, err := evidence.Content(d)
	if err != nil {
		t.Fatal(err)
	}
	signer := conn.(connectors.Signer)
	order, err := signer.StartSign(context.Background(), connectors.SignRequest{Request: connectors.Request{EndUserIP: "192.0.2.1"}, SignContent: content})
	if err != nil {
		t.Fatal(err)
	}
	progress, err := signer.Poll(context.Background(), order)
	if err != nil || progress.Identity == nil || progress.Identity.Signature == nil {
		t.Fatalf("poll = %+v, %v; want a signature", progress, err)
	}
	id := progress.Identity
	sig := id.Signature
	return &evidence.Evidence{
		ID: "sev_test", Provider: id.Connector, Operation: sig.Operation, SignedAt: sig.SignedAt,
		Signer:      evidence.Signer{Sub: "sub-1", NationalID: &evidence.NationalID{Country: id.Country, Value: id.NationalID}, Name: id.Name},
		VisibleData: sig.VisibleData, VisibleDataFormat: sig.VisibleDataFormat, NonVisibleData: sig.NonVisibleData,
		Native: sig.Native,
	}, s.JWSCertPEM()
}

func TestFrejaVerifier(t *testing.T) {
	digest := sha256.Sum256([]byte("Loan agreement v3"))
	details := evidence.SignDetails{
		Type: evidence.SignType, Text: "Jag tar ett lån på 250 000 kr.",
		DocumentDigests: []evidence.DocumentDigest{{Label: "Loan.pdf", HashAlg: "sha-256", Hash: base64.RawURLEncoding.EncodeToString(digest[:])}},
	}
	good, certPEM := frejaEvidence(t, details)
	verifier, err := evidence.NewFrejaVerifier(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPEM := frejaEvidence(t, evidence.SignDetails{Type: evidence.SignType, Text: "Other"})
	stranger, err := evidence.NewFrejaVerifier(otherPEM)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct {
		name     string
		change   func(*evidence.Evidence)
		verifier *evidence.FrejaVerifier
		err      error
	}{
		{name: "genuine"},
		{name: "another Freja's keys", verifier: stranger, err: frejasig.ErrSignature},
		{name: "no keys", verifier: &evidence.FrejaVerifier{}, err: frejasig.ErrNoKeys},
		{name: "text changed", change: func(ev *evidence.Evidence) {
			ev.VisibleData = b64([]byte("Jag tar ett lån på 25 000 kr."))
		}, err: frejasig.ErrSignedData},
		{name: "non-visible data changed", change: func(ev *evidence.Evidence) { ev.NonVisibleData = b64([]byte(`{}`)) }, err: frejasig.ErrSignedData},
		{name: "non-visible data dropped", change: func(ev *evidence.Evidence) { ev.NonVisibleData = "" }, err: frejasig.ErrSignedData},
		{name: "markdown claimed", change: func(ev *evidence.Evidence) { ev.VisibleDataFormat = "simpleMarkdownV1" }, err: frejasig.ErrSignedData},
		{name: "text not base64", change: func(ev *evidence.Evidence) { ev.VisibleData = "%%" }, err: frejasig.ErrSignedData},
		{name: "another signer", change: func(ev *evidence.Evidence) { ev.Signer.NationalID.Value = "196311309154" }, err: frejasig.ErrSigner},
		{name: "no signer's national id", change: func(ev *evidence.Evidence) { ev.Signer.NationalID = nil }, err: frejasig.ErrSigner},
		{name: "another time", change: func(ev *evidence.Evidence) { ev.SignedAt = ev.SignedAt.Add(time.Minute) }, err: frejasig.ErrSignedAt},
		{name: "not a Freja operation", change: func(ev *evidence.Evidence) { ev.Operation = "rp/v6.0/sign" }, err: frejasig.ErrMalformed},
		{name: "no details", change: func(ev *evidence.Evidence) { ev.Native = map[string]string{} }, err: frejasig.ErrMalformed},
		{name: "details tampered", change: func(ev *evidence.Evidence) {
			parts := strings.Split(ev.Native[frejasig.NativeName], ".")
			payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
			payload = []byte(strings.Replace(string(payload), "APPROVED", "APPROVED ", 1))
			parts[1] = base64.RawURLEncoding.EncodeToString(payload)
			ev.Native = map[string]string{frejasig.NativeName: strings.Join(parts, ".")}
		}, err: frejasig.ErrSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := *good
			id := *good.Signer.NationalID
			ev.Signer.NationalID = &id
			if tc.change != nil {
				tc.change(&ev)
			}
			v := verifier
			if tc.verifier != nil {
				v = tc.verifier
			}
			err := v.VerifyNative(&ev)
			if tc.err == nil && err != nil || tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("VerifyNative = %v, want %v", err, tc.err)
			}
		})
	}
	// The evidence survives its JSON form (the export package) unchanged.
	raw, _ := json.Marshal(good)
	var back evidence.Evidence
	if err := json.Unmarshal(raw, &back); err != nil || verifier.VerifyNative(&back) != nil {
		t.Errorf("evidence after JSON: %v, %v", err, verifier.VerifyNative(&back))
	}
}

func TestLoadFrejaVerifier(t *testing.T) {
	good, certPEM := frejaEvidence(t, evidence.SignDetails{Type: evidence.SignType, Text: "Jag godkänner."})
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "freja.pem")
	if err := os.WriteFile(pemFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := evidence.NewFrejaVerifier(certPEM)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: v.Keys[0], Algorithm: "RS256", Use: "sig"}}})
	jwksFile := filepath.Join(dir, "freja.jwks")
	if err := os.WriteFile(jwksFile, jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{pemFile, jwksFile} {
		loaded, err := evidence.LoadFrejaVerifier(path)
		if err != nil {
			t.Fatalf("LoadFrejaVerifier(%s): %v", filepath.Base(path), err)
		}
		if err := loaded.VerifyNative(good); err != nil {
			t.Errorf("%s: VerifyNative = %v", filepath.Base(path), err)
		}
	}
	if _, err := evidence.LoadFrejaVerifier(filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("a missing file loaded")
	}
	empty := filepath.Join(dir, "empty.pem")
	_ = os.WriteFile(empty, []byte("no keys here"), 0o600)
	if _, err := evidence.LoadFrejaVerifier(empty); err == nil {
		t.Error("a file without keys loaded")
	}
}
