package evidence_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// bankIDEvidence is the evidence of a genuine simulated BankID signature of
// text, and the roots it verifies under.
func bankIDEvidence(t *testing.T, text string) (*evidence.Evidence, *x509.CertPool) {
	t.Helper()
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewTestServer()
	t.Cleanup(srv.Close)
	rp, err := s.RPClient("rp")
	if err != nil {
		t.Fatal(err)
	}
	client, err := sebankid.NewClient(srv.URL+sim.APIPath, rp)
	if err != nil {
		t.Fatal(err)
	}
	user := sim.TestUsers()[0]
	order, err := client.Sign(context.Background(), sebankid.OrderRequest{EndUserIP: "192.0.2.1", UserVisibleData: sebankid.EncodeUserData(text)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(order.OrderRef, user.PersonalNumber); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Collect(context.Background(), order.OrderRef)
	if err != nil || resp.CompletionData == nil {
		t.Fatalf("collect = %+v, %v", resp, err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(s.SigningRootPEM())
	return &evidence.Evidence{
		ID: "sev_1", Provider: "se-bankid", Operation: "rp/v6.0/sign", SignedAt: time.Now(),
		Signer:      evidence.Signer{Sub: "sub", NationalID: &evidence.NationalID{Country: "SE", Value: user.PersonalNumber}},
		VisibleData: sebankid.EncodeUserData(text),
		Native:      map[string]string{"bankid_signature": resp.CompletionData.Signature, "bankid_ocsp_response": resp.CompletionData.OCSPResponse},
	}, roots
}

func TestBankIDVerifier(t *testing.T) {
	good, roots := bankIDEvidence(t, "I agree")
	tests := []struct {
		name   string
		change func(*evidence.Evidence)
		want   error // a bankidsig sentinel, or nil for any error
		ok     bool
	}{
		{"genuine", func(*evidence.Evidence) {}, nil, true},
		{"another text", func(e *evidence.Evidence) { e.VisibleData = base64.StdEncoding.EncodeToString([]byte("I agree not")) }, bankidsig.ErrVisibleData, false},
		{"markdown claimed", func(e *evidence.Evidence) { e.VisibleDataFormat = "simpleMarkdownV1" }, bankidsig.ErrVisibleDataFormat, false},
		{"unseen data claimed", func(e *evidence.Evidence) { e.NonVisibleData = "AAAA" }, bankidsig.ErrNonVisibleData, false},
		{"another signer", func(e *evidence.Evidence) { e.Signer.NationalID.Value = sim.TestUsers()[1].PersonalNumber }, bankidsig.ErrPersonalNumber, false},
		{"another signing time", func(e *evidence.Evidence) { e.SignedAt = e.SignedAt.Add(time.Hour) }, bankidsig.ErrOCSPTime, false},
		{"ocsp response missing", func(e *evidence.Evidence) { delete(e.Native, "bankid_ocsp_response") }, nil, false},
		{"no national id", func(e *evidence.Evidence) { e.Signer.NationalID = nil }, nil, false},
		{"not Swedish", func(e *evidence.Evidence) { e.Signer.NationalID.Country = "NO" }, nil, false},
		{"not a BankID operation", func(e *evidence.Evidence) { e.Operation = "sign/1.0/initSignature" }, nil, false},
		{"visible data not base64", func(e *evidence.Evidence) { e.VisibleData = "%%%" }, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := *good
			id := *good.Signer.NationalID
			ev.Signer.NationalID = &id
			ev.Native = map[string]string{}
			for k, v := range good.Native {
				ev.Native[k] = v
			}
			tt.change(&ev)
			err := evidence.BankIDVerifier{Roots: roots}.VerifyNative(&ev)
			if tt.ok != (err == nil) || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("VerifyNative: %v, want ok=%v %v", err, tt.ok, tt.want)
			}
		})
	}
	if err := (evidence.BankIDVerifier{}).VerifyNative(good); !errors.Is(err, bankidsig.ErrChain) {
		t.Errorf("VerifyNative without roots: %v, want ErrChain", err)
	}
	if err := (evidence.BankIDVerifier{Roots: roots}).VerifyNative(nil); err == nil {
		t.Error("VerifyNative of nothing succeeded")
	}
}
