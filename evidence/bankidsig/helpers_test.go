package bankidsig_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"testing"

	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// bankID is a BankID simulator over mutual TLS and an API client of it: the
// genuine signatures the tests verify and tamper with come from there.
type bankID struct {
	sim    *sim.Simulator
	client *sebankid.Client
	roots  *x509.CertPool
}

func newBankID(t testing.TB) *bankID {
	t.Helper()
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewTestServer()
	t.Cleanup(srv.Close)
	rp, err := s.RPClient("Test relying party")
	if err != nil {
		t.Fatal(err)
	}
	client, err := sebankid.NewClient(srv.URL+sim.APIPath, rp)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(s.SigningRootPEM()) {
		t.Fatal("no signing root")
	}
	return &bankID{sim: s, client: client, roots: roots}
}

// sign has personalNumber sign visible (in format) and nonVisible, and
// returns the completion data.
func (b *bankID) sign(t testing.TB, personalNumber string, visible []byte, format string, nonVisible []byte) *sebankid.CompletionData {
	t.Helper()
	req := sebankid.OrderRequest{
		EndUserIP:             "203.0.113.7",
		UserVisibleData:       base64.StdEncoding.EncodeToString(visible),
		UserVisibleDataFormat: format,
		Requirement:           &sebankid.Requirement{PersonalNumber: personalNumber},
	}
	if len(nonVisible) > 0 {
		req.UserNonVisibleData = base64.StdEncoding.EncodeToString(nonVisible)
	}
	order, err := b.client.Sign(context.Background(), req)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	if _, err := b.sim.Approve(order.OrderRef, personalNumber); err != nil {
		t.Fatalf("approve: %v", err)
	}
	resp, err := b.client.Collect(context.Background(), order.OrderRef)
	if err != nil || resp.CompletionData == nil {
		t.Fatalf("collect = %+v, %v", resp, err)
	}
	return resp.CompletionData
}
