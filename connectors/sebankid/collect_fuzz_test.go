package sebankid

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// cannedTransport answers every BankID call with one status and body, so a fuzz
// iteration exercises the connector's whole reading of an answer (status, JSON,
// error object, completion data, personal number) without a server.
type cannedTransport struct {
	status int
	body   []byte
}

func (c cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c.body)), Request: r,
	}, nil
}

// FuzzCollect feeds arbitrary collect answers to Poll: it must never panic, a
// completed order must come with a valid identity, and a completed signing
// order with a signature of what was sent, checked.
func FuzzCollect(f *testing.F) {
	s, err := sim.New(sim.Options{})
	if err != nil {
		f.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(s.SigningRootPEM())
	const signText = "I agree"
	genuine := simCompletion(f, s, "sign", "198507232398", signText, nil)
	signed, _ := json.Marshal(CollectResponse{OrderRef: "ref", Status: StatusComplete, CompletionData: &genuine})
	textSum := sha256.Sum256([]byte(signText))
	complete, _ := json.Marshal(CollectResponse{OrderRef: "ref", Status: StatusComplete, CompletionData: &CompletionData{
		User:   CompletionUser{PersonalNumber: "198507232398", Name: "Alva Simulantsson", GivenName: "Alva", Surname: "Simulantsson"},
		Device: CompletionDevice{IPAddress: "192.0.2.1"}, Signature: "c2ln", OCSPResponse: "b2NzcA==",
		StepUp: &StepUp{Mrtd: true},
	}})
	f.Add(200, complete, MethodOtherDevice, "", false)
	f.Add(200, complete, MethodSameDevice, "198507232398", false)
	f.Add(200, complete, MethodOtherDevice, "197704652390", false)
	f.Add(200, complete, MethodOtherDevice, "", true)
	f.Add(200, signed, MethodOtherDevice, "", true)
	f.Add(200, signed, MethodSameDevice, "198507232398", true)
	f.Add(200, signed, MethodOtherDevice, "", false)
	f.Add(200, []byte(`{"orderRef":"ref","status":"pending","hintCode":"outstandingTransaction"}`), MethodOtherDevice, "", false)
	f.Add(200, []byte(`{"orderRef":"ref","status":"failed","hintCode":"userCancel"}`), MethodSameDevice, "", false)
	f.Add(200, []byte(`{"orderRef":"ref","status":"complete"}`), MethodOtherDevice, "", false)
	f.Add(200, []byte(`{"orderRef":"ref","status":"complete","completionData":{"user":{"personalNumber":"19850723239"}}}`), MethodOtherDevice, "", false)
	f.Add(200, []byte(`{"status":"weird"}`), MethodOtherDevice, "", false)
	f.Add(200, []byte(`null`), MethodOtherDevice, "", false)
	f.Add(200, []byte(`[]`), MethodOtherDevice, "", false)
	f.Add(400, []byte(`{"errorCode":"invalidParameters","details":"No such order"}`), MethodOtherDevice, "", false)
	f.Add(503, []byte(`{"errorCode":"maintenance"}`), MethodOtherDevice, "", false)
	f.Add(500, []byte("<html>\xff\xfe"), MethodOtherDevice, "", false)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, status int, body []byte, method, personalNumber string, signing bool) {
		if status < 100 || status > 999 {
			status = 200
		}
		client, err := NewClient("https://bankid.invalid/rp/v6.0/", &http.Client{Transport: cannedTransport{status: status, body: body}})
		if err != nil {
			t.Fatal(err)
		}
		client.SetRetryBackoff([]time.Duration{0})
		c := &Connector{id: "se-bankid", client: client, logger: logger, now: time.Now, signingRoots: roots}
		st := orderState{Method: method, PersonalNumber: personalNumber, QRStartToken: "t", QRStartSecret: "s"}
		if signing {
			st.Sign = &signState{Kind: "sign", VisibleSHA256: textSum[:]}
		}
		state, _ := json.Marshal(st)
		order := &connectors.Order{Ref: "ref", State: state, StartedAt: time.Now()}
		progress, err := c.Poll(context.Background(), order)
		if progress.Status == connectors.StatusComplete {
			id := progress.Identity
			if err != nil || id == nil || !nationalid.Valid(nationalid.SEPersonnummer, id.NationalID) || id.Country != "SE" || id.Birthdate == "" {
				t.Fatalf("complete without a valid identity: %+v, %v", id, err)
			}
			if personalNumber != "" && id.NationalID != personalNumber {
				t.Fatalf("completed by %s, order was for %s", nationalid.Mask(id.NationalID), nationalid.Mask(personalNumber))
			}
			if signing != (id.Signature != nil) {
				t.Fatalf("signing order %v completed with signature %+v", signing, id.Signature)
			}
			if signing && (id.Signature.VisibleData != EncodeUserData(signText) || id.Signature.Native[NativeSignature] != genuine.Signature) {
				t.Fatalf("signature of something else accepted: %+v", id.Signature)
			}
		}
		_ = c.QR(order, time.Now())
		_ = c.Cancel(context.Background(), order)
	})
}
