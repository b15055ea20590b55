package freja_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
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
