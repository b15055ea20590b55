package sebankid

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence/bankidsig"
)

// simCompletion has the simulator complete an order of kind ("sign" or
// "auth") for personalNumber and returns BankID's completion data.
func simCompletion(t testing.TB, s *sim.Simulator, kind, personalNumber, text string, nonVisible []byte) CompletionData {
	t.Helper()
	srv := s.NewTestServer()
	defer srv.Close()
	rp, err := s.RPClient("rp")
	if err != nil {
		t.Fatal(err)
	}
	client, err := NewClient(srv.URL+sim.APIPath, rp)
	if err != nil {
		t.Fatal(err)
	}
	req := OrderRequest{EndUserIP: "203.0.113.7", UserVisibleData: EncodeUserData(text), UserVisibleDataFormat: UserVisibleDataFormatSimpleMarkdown}
	if nonVisible != nil {
		req.UserNonVisibleData = base64.StdEncoding.EncodeToString(nonVisible)
	}
	start := client.Sign
	if kind == "auth" {
		start = client.Auth
	}
	order, err := start(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(order.OrderRef, personalNumber); err != nil {
		t.Fatal(err)
	}
	resp, err := client.Collect(context.Background(), order.OrderRef)
	if err != nil || resp.CompletionData == nil {
		t.Fatalf("collect = %+v, %v", resp, err)
	}
	return *resp.CompletionData
}

// TestSignatureCheckedAtIssuance: a completed signing order whose signature,
// OCSP response, chain, text or person is not what was sent is refused by the
// connector (ErrInvalidResponse), never handed on as a signature.
func TestSignatureCheckedAtIssuance(t *testing.T) {
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(s.SigningRootPEM())
	pnr := sim.TestUsers()[1].PersonalNumber
	text, hidden := "## Loan\n\n**250 000 SEK**", []byte("digests")
	genuine := simCompletion(t, s, "sign", pnr, text, hidden)
	again := simCompletion(t, s, "sign", pnr, text, hidden)
	foreign := simCompletion(t, other, "sign", pnr, text, hidden)
	identification := simCompletion(t, s, "auth", pnr, text, hidden)
	sum := func(b []byte) []byte { h := sha256.Sum256(b); return h[:] }
	sent := signState{Kind: "sign", VisibleSHA256: sum([]byte(text)), VisibleFormat: UserVisibleDataFormatSimpleMarkdown, NonVisibleSHA256: sum(hidden)}
	editXML := func(d *CompletionData, from, to string) {
		raw, _ := base64.StdEncoding.DecodeString(d.Signature)
		if !strings.Contains(string(raw), from) {
			t.Fatalf("%q is not in the signature", from)
		}
		d.Signature = base64.StdEncoding.EncodeToString([]byte(strings.Replace(string(raw), from, to, 1)))
	}
	tests := []struct {
		name   string
		change func(*CompletionData, *signState)
		want   error // nil: the signature is accepted
	}{
		{"genuine", func(*CompletionData, *signState) {}, nil},
		{"signed text tampered", func(d *CompletionData, _ *signState) {
			editXML(d, EncodeUserData(text), EncodeUserData("## Loan\n\n**1 SEK**"))
		}, bankidsig.ErrDigest},
		{"signature value tampered", func(d *CompletionData, _ *signState) { editXML(d, "<SignatureValue>", "<SignatureValue>AAAA") }, bankidsig.ErrSignature},
		{"not a signature", func(d *CompletionData, _ *signState) { d.Signature = "c2ln" }, bankidsig.ErrMalformed},
		{"ocsp response of another signature", func(d *CompletionData, _ *signState) { d.OCSPResponse = again.OCSPResponse }, bankidsig.ErrOCSPNonce},
		{"ocsp response tampered", func(d *CompletionData, _ *signState) {
			der, _ := base64.StdEncoding.DecodeString(d.OCSPResponse)
			der[len(der)/2] ^= 0x40
			d.OCSPResponse = base64.StdEncoding.EncodeToString(der)
		}, nil},
		{"chain from another CA", func(d *CompletionData, _ *signState) { *d = foreign }, bankidsig.ErrChain},
		{"another text was sent", func(_ *CompletionData, st *signState) { st.VisibleSHA256 = sum([]byte("## Loan")) }, bankidsig.ErrVisibleData},
		{"plain text was sent", func(_ *CompletionData, st *signState) { st.VisibleFormat = "" }, bankidsig.ErrVisibleDataFormat},
		{"no unseen data was sent", func(_ *CompletionData, st *signState) { st.NonVisibleSHA256 = nil }, bankidsig.ErrNonVisibleData},
		{"completed by another person", func(d *CompletionData, _ *signState) { d.User.PersonalNumber = sim.TestUsers()[0].PersonalNumber }, bankidsig.ErrPersonalNumber},
		{"an identification, not a signature", func(d *CompletionData, _ *signState) { *d = identification }, nil},
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, st := genuine, sent
			tt.change(&data, &st)
			body, _ := json.Marshal(CollectResponse{OrderRef: "ref", Status: StatusComplete, CompletionData: &data})
			client, err := NewClient("https://bankid.invalid/rp/v6.0/", &http.Client{Transport: cannedTransport{status: 200, body: body}})
			if err != nil {
				t.Fatal(err)
			}
			c := &Connector{id: "se-bankid", client: client, logger: logger, now: time.Now, signingRoots: roots}
			state, _ := json.Marshal(orderState{Method: MethodOtherDevice, QRStartToken: "t", QRStartSecret: "s", Sign: &st})
			progress, err := c.Poll(context.Background(), &connectors.Order{Ref: "ref", State: state, StartedAt: time.Now()})
			if tt.name == "genuine" {
				if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.Signature == nil {
					t.Fatalf("Poll = %+v, %v; want complete with a signature", progress, err)
				}
				return
			}
			if progress.Status != connectors.StatusFailed || progress.Identity != nil || !errors.Is(err, connectors.ErrInvalidResponse) {
				t.Fatalf("Poll = %+v, %v; want failed with ErrInvalidResponse", progress, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Poll: %v, want %v", err, tt.want)
			}
		})
	}
}
