package sebankid_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// TestSignOrder: a signing order sends the text to show and the hash to sign
// unseen to BankID's sign endpoint, and completes through Poll as a login does.
func TestSignOrder(t *testing.T) {
	e := newEnv(t, sim.Options{})
	user := sim.TestUsers()[1]
	hash := []byte{0xde, 0xad, 0xbe, 0xef}
	order, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest(""), SignContent: connectors.SignContent{Text: "I agree to the terms", NonVisibleData: hash}})
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
	if body.UserVisibleData != base64.StdEncoding.EncodeToString([]byte("I agree to the terms")) || body.UserNonVisibleData != base64.StdEncoding.EncodeToString(hash) {
		t.Errorf("sign body %s", signs[0].Body)
	}
	if e.conn.QR(order, e.clock.Now()) == "" || order.LaunchURL == "" {
		t.Errorf("a signing order on another device has no QR code or app link: %+v", order)
	}
	if _, err := e.sim.Approve(order.Ref, user.PersonalNumber); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.NationalID != user.PersonalNumber {
		t.Fatalf("poll = %+v, %v; want complete by %s", progress, err, user.PersonalNumber)
	}
	if _, err := e.conn.StartSign(context.Background(), connectors.SignRequest{Request: loginRequest("")}); err == nil {
		t.Error("a signing order without a text started")
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
	if err != nil || progress.Status != connectors.StatusComplete || progress.Identity.NationalID != user.PersonalNumber {
		t.Fatalf("poll = %+v, %v; want complete", progress, err)
	}
	if _, err := e.conn.StartBackchannel(context.Background(), connectors.BackchannelRequest{NationalID: "12345"}); err == nil {
		t.Error("a phone order for an invalid personnummer started")
	}
}
