package freja_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
	"github.com/portvakt/portvakt/evidence/frejasig"
)

func TestSignTextAndDigest(t *testing.T) {
	e := newEnv(t, sim.Options{})
	digest := sha256.Sum256([]byte("loan agreement v3"))
	req := connectors.SignRequest{Request: loginRequest("", connectors.LoASubstantial), SignContent: connectors.SignContent{Text: "I take the loan of 10 000 kr.", NonVisibleData: digest[:]}}
	req.ClientName = "Demo bank"
	order, err := e.conn.StartSign(context.Background(), req)
	if err != nil {
		t.Fatalf("StartSign: %v", err)
	}
	init := e.sim.RequestsTo(freja.PathInitSign)
	var payload struct {
		Title, DataToSignType, SignatureType, MinRegistrationLevel string
		DataToSign                                                 struct{ Text, BinaryData string }
	}
	if len(init) != 1 || init[0].Param != "initSignRequest" || json.Unmarshal(init[0].Payload, &payload) != nil {
		t.Fatalf("initSignature requests = %+v", init)
	}
	text, _ := base64.StdEncoding.DecodeString(payload.DataToSign.Text)
	if string(text) != req.Text || payload.DataToSign.BinaryData != base64.StdEncoding.EncodeToString(digest[:]) ||
		payload.DataToSignType != freja.DataToSignExtendedText || payload.SignatureType != freja.SignatureTypeExtended ||
		payload.Title != "Demo bank" || payload.MinRegistrationLevel != freja.LevelPlus {
		t.Errorf("payload = %+v", payload)
	}
	if tx, _ := e.sim.Transaction(order.Ref); tx.Text != req.Text || !tx.Signing() {
		t.Errorf("the app shows %+v, want the text to sign", tx)
	}
	if e.conn.QR(order, e.clock.Now()) == "" {
		t.Error("a signature on another device has no QR code")
	}
	if _, err := e.sim.Approve(order.Ref, ""); err != nil {
		t.Fatal(err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Identity == nil || progress.Identity.NationalID != sim.TestUsers()[0].SSN {
		t.Fatalf("poll = %+v, %v; want the signer", progress, err)
	}
	if calls := len(e.sim.RequestsTo(freja.PathSignResult)); calls != 1 {
		t.Errorf("%d sign result calls, want 1", calls)
	}
	assertSignature(t, e, order.Ref, progress.Identity, req.SignContent)
	if err := e.conn.Cancel(context.Background(), order); err != nil || len(e.sim.RequestsTo(freja.PathCancelSign)) != 1 {
		t.Errorf("Cancel = %v; want it sent to the sign API", err)
	}
}

func TestSignNeedsText(t *testing.T) {
	e := newEnv(t, sim.Options{})
	if _, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest("", connectors.LoALow)}); err == nil {
		t.Error("StartSign without a text succeeded")
	}
}

func TestBackchannelPushesByPersonalNumberOrEmail(t *testing.T) {
	for _, tc := range []struct {
		name     string
		req      func(sim.TestUser) connectors.BackchannelRequest
		infoType string
	}{
		{"personal number", func(u sim.TestUser) connectors.BackchannelRequest {
			return connectors.BackchannelRequest{NationalID: u.SSN}
		}, freja.UserInfoSSN},
		{"e-mail", func(u sim.TestUser) connectors.BackchannelRequest {
			return connectors.BackchannelRequest{Email: u.Email}
		}, freja.UserInfoEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			u := user(t, "FI", freja.LevelExtended)
			order, err := e.conn.StartBackchannel(context.Background(), tc.req(u))
			if err != nil {
				t.Fatalf("StartBackchannel: %v", err)
			}
			if order.LaunchURL != "" || e.conn.QR(order, e.clock.Now()) != "" {
				t.Errorf("order = %+v, want no app link and no QR code", order)
			}
			var payload struct{ UserInfoType, UserInfo string }
			_ = json.Unmarshal(e.sim.RequestsTo(freja.PathInitAuth)[0].Payload, &payload)
			if payload.UserInfoType != tc.infoType {
				t.Errorf("userInfoType = %q, want %s", payload.UserInfoType, tc.infoType)
			}
			if tc.infoType == freja.UserInfoSSN {
				raw, _ := base64.StdEncoding.DecodeString(payload.UserInfo)
				var info struct{ Country, SSN string }
				if json.Unmarshal(raw, &info) != nil || info.Country != "FI" || info.SSN != u.SSN {
					t.Errorf("userInfo = %s, want base64 JSON of the Finnish number", raw)
				}
			}
			// Only the person it was pushed to can answer.
			if _, err := e.sim.Approve(order.Ref, user(t, "SE", freja.LevelPlus).SSN); err == nil {
				t.Error("another person approved a pushed transaction")
			}
			if _, err := e.sim.Approve(order.Ref, ""); err != nil {
				t.Fatal(err)
			}
			progress, err := e.poll(t, order)
			if err != nil || progress.Identity == nil || progress.Identity.Country != "FI" || progress.Identity.NationalID != u.SSN {
				t.Errorf("poll = %+v, %v; want the Finnish person", progress, err)
			}
		})
	}
}

func TestBackchannelUnknownPerson(t *testing.T) {
	e := newEnv(t, sim.Options{})
	_, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{Email: "nobody@example.test"})
	assertFailed(t, connectors.Progress{Status: connectors.StatusFailed, Message: freja.MsgNoSuchUser}, err, freja.MsgNoSuchUser, connectors.ErrUpstream)
	if _, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: "123"}); err == nil {
		t.Error("an invalid national id was pushed")
	}
}

// assertSignature checks a completed signature's proof: what was sent, and
// Freja's details that verify offline under the simulator's certificate and
// sign exactly that, by the identity's person.
func assertSignature(t *testing.T, e *env, ref string, id *connectors.Identity, sent connectors.SignContent) {
	t.Helper()
	sig := id.Signature
	if sig == nil {
		t.Fatal("a completed signature has no Identity.Signature")
	}
	wantBinary := ""
	if len(sent.NonVisibleData) > 0 {
		wantBinary = base64.StdEncoding.EncodeToString(sent.NonVisibleData)
	}
	if sig.Operation != "sign/1.0/initSignature" || sig.VisibleData != base64.StdEncoding.EncodeToString([]byte(sent.Text)) ||
		sig.VisibleDataFormat != "" || sig.NonVisibleData != wantBinary || len(sig.Native) != 1 {
		t.Errorf("signature = %+v", sig)
	}
	if !sig.SignedAt.Equal(e.clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("signed at %s, want the approval's time %s", sig.SignedAt, e.clock.Now())
	}
	details := sig.Native["freja_details_jws"]
	result, _ := e.conn.Client().SignResult(context.Background(), ref)
	if details == "" || details != result.Details {
		t.Fatalf("freja_details_jws is not the result's details verbatim")
	}
	keys, err := frejasig.ParseKeys(e.sim.JWSCertPEM())
	if err != nil {
		t.Fatal(err)
	}
	want := frejasig.Expected{Text: []byte(sent.Text), BinaryData: sent.NonVisibleData, Country: id.Country, SSN: id.NationalID, SignRef: ref}
	res, err := frejasig.Verify(details, want, keys...)
	if err != nil {
		t.Fatalf("offline verification: %v", err)
	}
	if res.UserCertificate == nil || res.UserCertificate.Subject.SerialNumber != id.NationalID || res.CertificateStatus == "" {
		t.Errorf("user signature: %+v", res)
	}
}

func TestSigningInfo(t *testing.T) {
	e := newEnv(t, sim.Options{})
	got := e.conn.Info().Signing
	if got == nil || got.Markdown || !got.Backchannel || got.MaxTextBytes != freja.MaxSignTextChars || got.MaxNonVisibleBytes != freja.MaxSignBinaryBytes {
		t.Errorf("Info.Signing = %+v", got)
	}
}

func TestSignPlainText(t *testing.T) {
	e := newEnv(t, sim.Options{})
	req := connectors.SignRequest{Request: loginRequest(freja.MethodSameDevice, connectors.LoALow), SignContent: connectors.SignContent{Text: "Jag godkänner villkoren.\nÅÄÖ åäö"}}
	order, err := e.conn.StartSign(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var payload struct{ DataToSignType, SignatureType string }
	_ = json.Unmarshal(e.sim.RequestsTo(freja.PathInitSign)[0].Payload, &payload)
	if payload.DataToSignType != freja.DataToSignText || payload.SignatureType != freja.SignatureTypeSimple {
		t.Errorf("payload = %+v, want a SIMPLE signature of text", payload)
	}
	if _, err := e.sim.Approve(order.Ref, ""); err != nil {
		t.Fatal(err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusComplete {
		t.Fatalf("poll = %+v, %v", progress, err)
	}
	assertSignature(t, e, order.Ref, progress.Identity, req.SignContent)
}

func TestSignRefusesWhatFrejaCannotShow(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content connectors.SignContent
	}{
		{"no text", connectors.SignContent{NonVisibleData: []byte{1}}},
		{"markdown", connectors.SignContent{Text: "**Lån**", Markdown: true}},
		{"text too long", connectors.SignContent{Text: strings.Repeat("å", freja.MaxSignTextChars/2+1)}},
		{"not UTF-8", connectors.SignContent{Text: "\xff\xfe"}},
		{"binary data too large", connectors.SignContent{Text: "ok", NonVisibleData: make([]byte, freja.MaxSignBinaryBytes+1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			if _, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest("", connectors.LoALow), SignContent: tc.content}); err == nil {
				t.Error("StartSign succeeded")
			}
			u := sim.TestUsers()[0]
			if _, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: u.SSN, Sign: &tc.content}); err == nil {
				t.Error("StartBackchannel succeeded")
			}
			if n := len(e.sim.RequestsTo(freja.PathInitSign)); n != 0 {
				t.Errorf("%d signatures started, want none", n)
			}
		})
	}
}

func TestBackchannelSign(t *testing.T) {
	for _, tc := range []struct {
		name     string
		req      func(sim.TestUser, *connectors.SignContent) connectors.BackchannelRequest
		infoType string
	}{
		{"personal number", func(u sim.TestUser, c *connectors.SignContent) connectors.BackchannelRequest {
			return connectors.BackchannelRequest{NationalID: u.SSN, Sign: c, Text: "unused when signing"}
		}, freja.UserInfoSSN},
		{"e-mail", func(u sim.TestUser, c *connectors.SignContent) connectors.BackchannelRequest {
			return connectors.BackchannelRequest{Email: u.Email, Sign: c}
		}, freja.UserInfoEmail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			u := user(t, "SE", freja.LevelPlus)
			content := connectors.SignContent{Text: "Jag flyttar 5 000 kr till konto 1234.", NonVisibleData: []byte(`{"payment":"p-77"}`)}
			order, err := e.conn.StartBackchannel(context.Background(), tc.req(u, &content))
			if err != nil {
				t.Fatalf("StartBackchannel: %v", err)
			}
			if order.LaunchURL != "" || e.conn.QR(order, e.clock.Now()) != "" {
				t.Errorf("order = %+v, want no app link and no QR code", order)
			}
			if n := len(e.sim.RequestsTo(freja.PathInitAuth)); n != 0 {
				t.Errorf("%d authentications started, want a signature", n)
			}
			var payload struct{ UserInfoType, Title, SignatureType string }
			_ = json.Unmarshal(e.sim.RequestsTo(freja.PathInitSign)[0].Payload, &payload)
			if payload.UserInfoType != tc.infoType || payload.SignatureType != freja.SignatureTypeExtended {
				t.Errorf("initSignature payload = %+v", payload)
			}
			if tx, _ := e.sim.Transaction(order.Ref); !tx.Signing() || tx.Text != content.Text || tx.For == nil || tx.For.SSN != u.SSN {
				t.Errorf("the app shows %+v, want the text pushed to %s", tx, u.Name())
			}
			progress, err := e.poll(t, order)
			if err != nil || progress.Status != connectors.StatusPending || progress.Message != freja.MsgPushed {
				t.Errorf("first poll = %+v, %v; want pushed", progress, err)
			}
			if _, err := e.sim.Approve(order.Ref, ""); err != nil {
				t.Fatal(err)
			}
			progress, err = e.poll(t, order)
			if err != nil || progress.Identity == nil || progress.Identity.NationalID != u.SSN {
				t.Fatalf("poll = %+v, %v; want the person's signature", progress, err)
			}
			assertSignature(t, e, order.Ref, progress.Identity, content)
		})
	}
}

// TestSignRefusesAResultOfSomethingElse: a result signed by Freja's key is
// still refused when it is tampered with, or signs another text, other binary
// data, by another person than the one it was pushed to, or is another
// transaction's. (Whoever scans a QR code may sign it: there, the signer is
// whoever the result names.)
func TestSignRefusesAResultOfSomethingElse(t *testing.T) {
	other := user(t, "SE", freja.LevelExtended)
	for _, tc := range []struct {
		name   string
		pushed bool
		spoil  func(e *env, ref string)
	}{
		{"tampered details", false, func(e *env, ref string) { e.sim.TamperDetails(ref) }},
		{"another text", false, func(e *env, ref string) {
			e.sim.SignWrongly(ref, sim.WrongSignature{Text: "I take the loan of 99 000 kr."})
		}},
		{"other binary data", false, func(e *env, ref string) { e.sim.SignWrongly(ref, sim.WrongSignature{BinaryData: []byte("other")}) }},
		{"another person than pushed to", true, func(e *env, ref string) { e.sim.SignWrongly(ref, sim.WrongSignature{SSN: other.SSN}) }},
		{"another signature's details", false, func(e *env, ref string) {
			earlier, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest(freja.MethodSameDevice, connectors.LoALow), SignContent: connectors.SignContent{Text: "Something else"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.sim.Approve(earlier.Ref, ""); err != nil {
				t.Fatal(err)
			}
			e.sim.ReplayDetails(ref, earlier.Ref)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			content := connectors.SignContent{Text: "I take the loan of 10 000 kr.", NonVisibleData: []byte{0xde, 0xad}}
			var order *connectors.Order
			var err error
			if tc.pushed {
				order, err = e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: sim.TestUsers()[0].SSN, Sign: &content})
			} else {
				order, err = e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest("", connectors.LoALow), SignContent: content})
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.spoil(e, order.Ref)
			if _, err := e.sim.Approve(order.Ref, ""); err != nil {
				t.Fatal(err)
			}
			progress, err := e.poll(t, order)
			assertFailed(t, progress, err, freja.MsgFailed, connectors.ErrInvalidResponse)
			if progress.Identity != nil {
				t.Errorf("the identity of %s was handed over", progress.Identity.Name)
			}
		})
	}
}
