package sebankid_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence"
)

const signMarkdown = "# Agreement\n\nI agree to the **terms** of *Loan 42*."

// TestSignOrder: a signing order sends the markdown text to show and the data
// to sign unseen to BankID's sign endpoint over mutual TLS, and completes
// through Poll with a signature the connector checked, which verifies offline
// again as evidence.
func TestSignOrder(t *testing.T) {
	for _, method := range []string{sebankid.MethodOtherDevice, sebankid.MethodSameDevice} {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			user := sim.TestUsers()[1]
			hidden := []byte(`{"document_digests":[{"hash":"3q2-7w","hash_alg":"sha-256","label":"Loan.pdf"}]}`)
			order, err := e.conn.StartSign(context.Background(), connectors.SignRequest{
				Request:     loginRequest(method),
				SignContent: connectors.SignContent{Text: signMarkdown, Markdown: true, NonVisibleData: hidden},
			})
			if err != nil {
				t.Fatalf("StartSign: %v", err)
			}
			signs := e.sim.RequestsTo("sign")
			if len(signs) != 1 || len(e.sim.RequestsTo("auth")) != 0 {
				t.Fatalf("%d sign and %d auth requests, want one sign", len(signs), len(e.sim.RequestsTo("auth")))
			}
			var body sebankid.OrderRequest
			if err := json.Unmarshal(signs[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			if body.UserVisibleData != base64.StdEncoding.EncodeToString([]byte(signMarkdown)) || body.UserVisibleDataFormat != "simpleMarkdownV1" ||
				body.UserNonVisibleData != base64.StdEncoding.EncodeToString(hidden) {
				t.Errorf("sign body %s", signs[0].Body)
			}
			if order.LaunchURL == "" || method == sebankid.MethodOtherDevice && e.conn.QR(order, e.clock.Now()) == "" {
				t.Errorf("a signing order has no QR code or app link: %+v", order)
			}
			if _, err := e.sim.Approve(order.Ref, user.PersonalNumber); err != nil {
				t.Fatalf("Approve: %v", err)
			}
			progress, err := e.poll(t, order)
			if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.NationalID != user.PersonalNumber {
				t.Fatalf("poll = %+v, %v; want complete by %s", progress, err, user.PersonalNumber)
			}
			sig := progress.Identity.Signature
			if sig == nil {
				t.Fatal("a completed signature has no Identity.Signature")
			}
			if sig.Operation != sebankid.OperationSign || !sig.SignedAt.Equal(e.clock.Now()) ||
				sig.VisibleData != body.UserVisibleData || sig.VisibleDataFormat != "simpleMarkdownV1" || sig.NonVisibleData != body.UserNonVisibleData ||
				sig.Native[sebankid.NativeSignature] == "" || sig.Native[sebankid.NativeOCSPResponse] == "" {
				t.Errorf("signature = %+v", sig)
			}
			verifyEvidence(t, e, sig, user.PersonalNumber)
		})
	}
	e := newEnv(t, sim.Options{})
	if _, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest("")}); err == nil {
		t.Error("a signing order without a text started")
	}
}

// verifyEvidence checks a signature as evidence, offline, against the
// simulator's signing root.
func verifyEvidence(t *testing.T, e *env, sig *connectors.Signature, personalNumber string) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(e.sim.SigningRootPEM())
	ev := &evidence.Evidence{
		Provider: "se-bankid", Operation: sig.Operation, SignedAt: sig.SignedAt,
		Signer:      evidence.Signer{Sub: "s", NationalID: &evidence.NationalID{Country: "SE", Value: personalNumber}},
		VisibleData: sig.VisibleData, VisibleDataFormat: sig.VisibleDataFormat, NonVisibleData: sig.NonVisibleData, Native: sig.Native,
	}
	if err := (evidence.BankIDVerifier{Roots: roots}).VerifyNative(ev); err != nil {
		t.Errorf("the evidence does not verify offline: %v", err)
	}
	ev.VisibleData = base64.StdEncoding.EncodeToString([]byte("something else"))
	if err := (evidence.BankIDVerifier{Roots: roots}).VerifyNative(ev); err == nil {
		t.Error("the evidence verifies for another text")
	}
}

// TestSignLimits: BankID's limits are declared and enforced before any order
// starts; the text is signed as plain text unless it is markdown.
func TestSignLimits(t *testing.T) {
	e := newEnv(t, sim.Options{})
	info := e.conn.Info().Signing
	if info == nil || info.MaxTextBytes != 30000 || info.MaxNonVisibleBytes != 150000 || !info.Markdown || !info.Backchannel {
		t.Fatalf("Info.Signing = %+v", info)
	}
	for name, content := range map[string]connectors.SignContent{
		"text too long":               {Text: strings.Repeat("x", 30001)},
		"non-visible data too long":   {Text: "ok", NonVisibleData: make([]byte, 150001)},
		"text not utf-8":              {Text: "\xff"},
		"no text, only unseen data":   {NonVisibleData: []byte("x")},
		"markdown without any text":   {Markdown: true},
		"phone text too long as well": {Text: strings.Repeat("å", 15001)},
	} {
		if _, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest(""), SignContent: content}); err == nil {
			t.Errorf("%s: StartSign started", name)
		}
		c := content
		if _, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: sim.TestUsers()[0].PersonalNumber, Sign: &c}); err == nil {
			t.Errorf("%s: phone sign started", name)
		}
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("%d requests reached BankID", n)
	}
	// At both limits BankID takes the order and the signature is checked whole.
	largest := connectors.SignContent{Text: strings.Repeat("x", 30000), NonVisibleData: make([]byte, 150000)}
	order, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest(""), SignContent: largest})
	if err != nil {
		t.Fatalf("StartSign at the limits: %v", err)
	}
	var body sebankid.OrderRequest
	_ = json.Unmarshal(e.sim.RequestsTo("sign")[0].Body, &body)
	if len(body.UserVisibleData) != 40000 || body.UserVisibleDataFormat != "" || len(body.UserNonVisibleData) != 200000 {
		t.Errorf("sign body: %d characters of text, format %q, %d of non-visible data", len(body.UserVisibleData), body.UserVisibleDataFormat, len(body.UserNonVisibleData))
	}
	if _, err := e.sim.Approve(order.Ref, ""); err != nil {
		t.Fatal(err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.Signature == nil ||
		progress.Identity.Signature.NonVisibleData != body.UserNonVisibleData {
		t.Fatalf("poll at the limits = %+v, %v", progress.Status, err)
	}
}

// TestSignWithoutSigningRoots: without roots to check signatures against the
// connector does not sign at all, rather than hand on unchecked evidence.
func TestSignWithoutSigningRoots(t *testing.T) {
	e := newEnv(t, sim.Options{})
	cfg := *e.cfg
	cfg.SigningRootsPEM = ""
	c, err := cfg.Open(context.Background(), "se-bankid", connectors.Deps{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, ok := c.(connectors.Signer); ok || c.Info().Signing != nil {
		t.Errorf("a connector without signing roots signs: Info.Signing = %+v", c.Info().Signing)
	}
	if _, ok := c.(connectors.OrderConnector); !ok {
		t.Fatal("a connector without signing roots does not log in")
	}
	bc, ok := c.(connectors.Backchannel)
	if !ok {
		t.Fatal("a connector without signing roots has no phone orders")
	}
	if _, err := bc.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: sim.TestUsers()[0].PersonalNumber, Sign: &connectors.SignContent{Text: "x"}}); err == nil {
		t.Error("a phone signature started without signing roots")
	}
	if _, err := bc.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: sim.TestUsers()[0].PersonalNumber}); err != nil {
		t.Errorf("phone authentication without signing roots: %v", err)
	}
}

// TestSignatureFromAnotherCA: a connector trusting one signing CA refuses a
// signature made under another, and the login fails rather than succeed
// without evidence.
func TestSignatureFromAnotherCA(t *testing.T) {
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Options{}, func(c *sebankid.Config) { c.SigningRootsPEM = string(other.SigningRootPEM()) })
	order, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest(""), SignContent: connectors.SignContent{Text: "I agree"}})
	if err != nil {
		t.Fatalf("StartSign: %v", err)
	}
	if _, err := e.sim.Approve(order.Ref, ""); err != nil {
		t.Fatal(err)
	}
	progress, err := e.poll(t, order)
	if progress.Status != connectors.StatusFailed || !errors.Is(err, connectors.ErrInvalidResponse) || progress.Identity != nil {
		t.Fatalf("poll = %+v, %v; want failed with ErrInvalidResponse", progress, err)
	}
	// A login needs no signing check.
	login := e.start(t, loginRequest(""))
	if _, err := e.sim.Approve(login.Ref, ""); err != nil {
		t.Fatal(err)
	}
	if progress, err := e.poll(t, login); err != nil || progress.Status != connectors.StatusComplete || progress.Identity.Signature != nil {
		t.Fatalf("login poll = %+v, %v", progress, err)
	}
}

// TestBackchannelOrder: a phone order names the person and who called whom,
// has no QR code or app link, and completes through Poll.
func TestBackchannelOrder(t *testing.T) {
	e := newEnv(t, sim.Options{})
	user := sim.TestUsers()[1]
	order, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: user.PersonalNumber, PersonCalled: true})
	if err != nil {
		t.Fatalf("StartBackchannel: %v", err)
	}
	phones := e.sim.RequestsTo("phone/auth")
	if len(phones) != 1 {
		t.Fatalf("%d phone/auth requests, want 1", len(phones))
	}
	var body sebankid.PhoneRequest
	if err := json.Unmarshal(phones[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.PersonalNumber != user.PersonalNumber || body.CallInitiator != sebankid.CallInitiatorUser {
		t.Errorf("phone/auth body %s", phones[0].Body)
	}
	if e.conn.QR(order, e.clock.Now()) != "" || order.LaunchURL != "" {
		t.Errorf("a phone order has a QR code or an app link: %+v", order)
	}
	if _, err := e.sim.Approve(order.Ref, user.PersonalNumber); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.NationalID != user.PersonalNumber || progress.Identity.Signature != nil {
		t.Fatalf("poll = %+v, %v; want complete, no signature", progress, err)
	}
	if _, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: "12345"}); err == nil {
		t.Error("a phone order for an invalid personnummer started")
	}
}

// TestBackchannelSign: a phone order with Sign runs phone/sign with the text,
// its format and the unseen data, and completes with a checked signature.
func TestBackchannelSign(t *testing.T) {
	e := newEnv(t, sim.Options{})
	user := sim.TestUsers()[3]
	order, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{
		NationalID: user.PersonalNumber, Text: "unused",
		Sign: &connectors.SignContent{Text: signMarkdown, Markdown: true, NonVisibleData: []byte("digest")},
	})
	if err != nil {
		t.Fatalf("StartBackchannel: %v", err)
	}
	phones := e.sim.RequestsTo("phone/sign")
	if len(phones) != 1 || len(e.sim.RequestsTo("phone/auth")) != 0 {
		t.Fatalf("%d phone/sign requests, want 1 and no phone/auth", len(phones))
	}
	var body sebankid.PhoneRequest
	if err := json.Unmarshal(phones[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.PersonalNumber != user.PersonalNumber || body.CallInitiator != sebankid.CallInitiatorRP || body.UserVisibleData != sebankid.EncodeUserData(signMarkdown) ||
		body.UserVisibleDataFormat != "simpleMarkdownV1" || body.UserNonVisibleData != sebankid.EncodeUserData("digest") {
		t.Errorf("phone/sign body %s", phones[0].Body)
	}
	if e.conn.QR(order, e.clock.Now()) != "" || order.LaunchURL != "" {
		t.Errorf("a phone order has a QR code or an app link: %+v", order)
	}
	if _, err := e.sim.Approve(order.Ref, user.PersonalNumber); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.Signature == nil {
		t.Fatalf("poll = %+v, %v; want complete with a signature", progress, err)
	}
	sig := progress.Identity.Signature
	if sig.Operation != sebankid.OperationPhoneSign || sig.VisibleData != body.UserVisibleData || sig.NonVisibleData != body.UserNonVisibleData {
		t.Errorf("signature = %+v", sig)
	}
	verifyEvidence(t, e, sig, user.PersonalNumber)
}
