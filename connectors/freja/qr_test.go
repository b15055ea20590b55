package freja_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
)

// expectedQR is Freja's dynamic QR formula written out from the reference:
// the app link with transactionReference <authRef>.<timeWindow>.<hmac>, where
// timeWindow is whole seconds since the init answer and hmac is
// base64url(HMAC-SHA256(key = qrCodeSecret, message = timeWindow)).
func expectedQR(appURL, authRef, secret string, seconds int) string {
	window := fmt.Sprint(seconds)
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(window))
	code := strings.TrimRight(base64.URLEncoding.EncodeToString(h.Sum(nil)), "=")
	return appURL + "?action=bindUserToTransaction&transactionReference=" + url.QueryEscape(authRef+"."+window+"."+code)
}

func TestDynamicQRMatchesTheFormula(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest("", connectors.LoALow))
	var state struct {
		QRCodeSecret string `json:"qrCodeSecret"`
	}
	if err := json.Unmarshal(order.State, &state); err != nil || state.QRCodeSecret == "" {
		t.Fatalf("order state %s: %v; want the qrCodeSecret Freja returned", order.State, err)
	}
	for _, tc := range []struct {
		after   time.Duration
		seconds int
	}{{-time.Second, 0}, {0, 0}, {999 * time.Millisecond, 0}, {time.Second, 1}, {7*time.Second + 400*time.Millisecond, 7}, {61 * time.Second, 61}} {
		got := e.conn.QR(order, order.StartedAt.Add(tc.after))
		if want := expectedQR(testAppURL, order.Ref, state.QRCodeSecret, tc.seconds); got != want {
			t.Errorf("QR after %v =\n%s\nwant\n%s", tc.after, got, want)
		}
	}
	// Freja's code is base64url, not BankID's hex.
	u, _ := url.Parse(e.conn.QR(order, order.StartedAt.Add(5*time.Second)))
	parts := strings.Split(u.Query().Get("transactionReference"), ".")
	if len(parts) != 3 || len(parts[2]) != 43 || strings.ContainsAny(parts[2], "+/=") {
		t.Errorf("code %q: want 43 characters of unpadded base64url", parts[len(parts)-1])
	}
	// The simulated app accepts what the connector shows, and refuses a code
	// made with another secret.
	e.clock.Advance(5 * time.Second)
	if _, err := e.sim.ScanQR(expectedQR(testAppURL, order.Ref, "another secret", 5)); err == nil {
		t.Error("ScanQR accepted a code made with another secret")
	}
	if ref, err := e.sim.ScanQR(e.conn.QR(order, e.clock.Now())); err != nil || ref != order.Ref {
		t.Errorf("ScanQR = %q, %v", ref, err)
	}
}

func TestQRTooOldRefused(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest("", connectors.LoALow))
	old := e.conn.QR(order, e.clock.Now())
	e.clock.Advance(45 * time.Second)
	if _, err := e.sim.ScanQR(old); err == nil {
		t.Error("a 45 s old code was accepted")
	}
	future := e.conn.QR(order, e.clock.Now().Add(10*time.Second))
	if _, err := e.sim.ScanQR(future); err == nil {
		t.Error("a code from the future was accepted")
	}
}

func TestStaticQRWithoutSecret(t *testing.T) {
	got := freja.StaticQRContent("ab+c/d==")
	if got != "frejaeid://bindUserToTransaction?transactionReference=ab%2Bc%2Fd%3D%3D" {
		t.Errorf("static QR = %q", got)
	}
}
