package sebankid_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

func TestAuthRequestCarriesEverything(t *testing.T) {
	e := newEnv(t, sim.Options{}, func(c *sebankid.Config) {
		c.CertificatePolicies = []string{"1.2.3.4.25"}
		c.PinCode = true
		c.ReturnRisk = true
		c.UserVisibleData = "Logga in på **{{.ClientName}}**"
	})
	req := loginRequest(sebankid.MethodSameDevice)
	req.NationalID = sim.TestUsers()[0].PersonalNumber
	req.ClientName = "Exempelkommunen"
	order := e.start(t, req)

	auths := e.sim.RequestsTo("auth")
	if len(auths) != 1 {
		t.Fatalf("auth requests = %d, want 1", len(auths))
	}
	if auths[0].ContentType != "application/json" || auths[0].ClientCN != "Test relying party" {
		t.Errorf("auth content type %q, client %q; want exactly application/json from the RP certificate", auths[0].ContentType, auths[0].ClientCN)
	}
	var body struct {
		EndUserIP   string `json:"endUserIp"`
		Requirement struct {
			PinCode             bool     `json:"pinCode"`
			CertificatePolicies []string `json:"certificatePolicies"`
			PersonalNumber      string   `json:"personalNumber"`
		} `json:"requirement"`
		UserVisibleData       string `json:"userVisibleData"`
		UserVisibleDataFormat string `json:"userVisibleDataFormat"`
		ReturnURL             string `json:"returnUrl"`
		ReturnRisk            bool   `json:"returnRisk"`
		Web                   struct {
			UserAgent       string `json:"userAgent"`
			ReferringDomain string `json:"referringDomain"`
		} `json:"web"`
	}
	if err := json.Unmarshal(auths[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	visible, _ := base64.StdEncoding.DecodeString(body.UserVisibleData)
	switch {
	case body.EndUserIP != req.EndUserIP:
		t.Errorf("endUserIp = %q", body.EndUserIP)
	case body.Requirement.PersonalNumber != req.NationalID:
		t.Errorf("requirement.personalNumber = %q, want the login hint", body.Requirement.PersonalNumber)
	case !body.Requirement.PinCode || len(body.Requirement.CertificatePolicies) != 1 || body.Requirement.CertificatePolicies[0] != "1.2.3.4.25":
		t.Errorf("requirement = %+v, want pinCode and the configured policy", body.Requirement)
	case string(visible) != "Logga in på **Exempelkommunen**" || body.UserVisibleDataFormat != "simpleMarkdownV1":
		t.Errorf("userVisibleData = %q (%s)", visible, body.UserVisibleDataFormat)
	case body.ReturnURL != req.ReturnURL || !body.ReturnRisk:
		t.Errorf("returnUrl = %q, returnRisk = %v", body.ReturnURL, body.ReturnRisk)
	case body.Web.UserAgent != req.UserAgent || body.Web.ReferringDomain != "login.example.test":
		t.Errorf("web = %+v", body.Web)
	}
	if info, ok := e.sim.Order(order.Ref); !ok || info.PersonalNumber != req.NationalID {
		t.Errorf("simulator order = %+v, want it restricted to the login hint", info)
	}
}

func TestOtherDeviceSendsNoReturnURLOrDefaultPolicy(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.start(t, loginRequest(sebankid.MethodOtherDevice))
	body := string(e.sim.RequestsTo("auth")[0].Body)
	if strings.Contains(body, "returnUrl") || strings.Contains(body, "requirement") {
		t.Errorf("auth body %s: want no returnUrl and no requirement", body)
	}
}

func TestQRContentMatchesFormulaAndSimulator(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest(""))
	var state struct {
		QRStartToken  string `json:"qrStartToken"`
		QRStartSecret string `json:"qrStartSecret"`
	}
	if err := json.Unmarshal(order.State, &state); err != nil || state.QRStartToken == "" || state.QRStartSecret == "" {
		t.Fatalf("order state %s: %v", order.State, err)
	}
	for _, elapsed := range []time.Duration{0, 900 * time.Millisecond, 7*time.Second + 500*time.Millisecond, 61 * time.Second} {
		seconds := fmt.Sprint(int64(elapsed / time.Second))
		mac := hmac.New(sha256.New, []byte(state.QRStartSecret))
		mac.Write([]byte(seconds))
		want := "bankid." + state.QRStartToken + "." + seconds + "." + hex.EncodeToString(mac.Sum(nil))
		if got := e.conn.QR(order, order.StartedAt.Add(elapsed)); got != want {
			t.Errorf("QR after %v = %q, want %q", elapsed, got, want)
		}
	}

	e.clock.Advance(12 * time.Second)
	qr := e.conn.QR(order, e.clock.Now())
	if ref, err := e.sim.ScanQR(qr); err != nil || ref != order.Ref {
		t.Errorf("simulator rejected the QR code %q: %v", qr, err)
	}
	tampered := qr[:len(qr)-1] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", qr[len(qr)-1])+1)%16])
	if _, err := e.sim.ScanQR(tampered); !errors.Is(err, sim.ErrInvalidQR) {
		t.Errorf("tampered QR: %v, want ErrInvalidQR", err)
	}
	if _, err := e.sim.ScanQR(e.conn.QR(order, order.StartedAt)); err != nil {
		t.Errorf("QR from second 0, read 12 s later: %v, want accepted", err)
	}
	if _, err := e.sim.ScanQR(e.conn.QR(order, e.clock.Now().Add(5*time.Second))); !errors.Is(err, sim.ErrInvalidQR) {
		t.Errorf("QR from the future: %v, want ErrInvalidQR", err)
	}
	e.clock.Advance(40 * time.Second)
	if _, err := e.sim.ScanQR(qr); !errors.Is(err, sim.ErrQRTooOld) {
		t.Errorf("QR from 40 s ago: %v, want ErrQRTooOld", err)
	}
}

func TestEveryHintCodeMapsToItsMessage(t *testing.T) {
	const desktop = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
	const phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148"
	tests := []struct {
		status, hint  string
		method, agent string
		wantMessage   string
		wantHint      string
		wantErr       error
	}{
		{"pending", "outstandingTransaction", "other-device", desktop, "RFA1", "", nil},
		{"pending", "outstandingTransaction", "same-device", desktop, "RFA13", "", nil},
		{"pending", "noClient", "other-device", desktop, "RFA1", "", nil},
		{"pending", "noClient", "same-device", desktop, "RFA1", "", nil},
		{"pending", "userSign", "other-device", desktop, "RFA9", "", nil},
		{"pending", "userSign", "same-device", phone, "RFA9", "", nil},
		{"pending", "started", "same-device", desktop, "RFA15A", "", nil},
		{"pending", "started", "same-device", phone, "RFA15B", "", nil},
		{"pending", "started", "other-device", desktop, "RFA15B", "", nil},
		{"pending", "userMrtd", "other-device", desktop, "RFA23", "", nil},
		{"pending", "userMrtd", "same-device", desktop, "RFA23", "", nil},
		{"pending", "userCallConfirm", "other-device", desktop, "RFA21", "", nil},
		{"pending", "somethingNew", "other-device", desktop, "RFA21", "unknown", nil},
		{"pending", "somethingNew", "same-device", desktop, "RFA21", "unknown", nil},
		{"failed", "userCancel", "other-device", desktop, "RFA6", "", connectors.ErrCancelled},
		{"failed", "userCancel", "same-device", desktop, "RFA6", "", connectors.ErrCancelled},
		{"failed", "cancelled", "other-device", desktop, "RFA3", "", connectors.ErrCancelled},
		{"failed", "cancelled", "same-device", desktop, "RFA3", "", connectors.ErrCancelled},
		{"failed", "expiredTransaction", "other-device", desktop, "RFA8", "", connectors.ErrExpired},
		{"failed", "expiredTransaction", "same-device", desktop, "RFA8", "", connectors.ErrExpired},
		{"failed", "certificateErr", "other-device", desktop, "RFA16", "", connectors.ErrUpstream},
		{"failed", "certificateErr", "same-device", desktop, "RFA16", "", connectors.ErrUpstream},
		{"failed", "startFailed", "other-device", desktop, "RFA17B", "", connectors.ErrExpired},
		{"failed", "startFailed", "same-device", desktop, "RFA17A", "", connectors.ErrExpired},
		{"failed", "userDeclinedCall", "other-device", desktop, "RFA22", "", connectors.ErrCancelled},
		{"failed", "notSupportedByUserApp", "other-device", desktop, "RFA22", "", connectors.ErrUpstream},
		{"failed", "transactionRiskBlocked", "same-device", desktop, "RFA22", "", connectors.ErrUpstream},
		{"failed", "somethingNew", "other-device", desktop, "RFA22", "unknown", connectors.ErrUpstream},
		{"failed", "somethingNew", "same-device", desktop, "RFA22", "unknown", connectors.ErrUpstream},
		// Casing is not to be trusted.
		{"PENDING", "USERSIGN", "other-device", desktop, "RFA9", "userSign", nil},
		{"Failed", "UserCancel", "same-device", desktop, "RFA6", "userCancel", connectors.ErrCancelled},
	}
	e := newEnv(t, sim.Options{})
	for _, tt := range tests {
		t.Run(tt.status+"/"+tt.hint+"/"+tt.method+"/"+tt.wantMessage, func(t *testing.T) {
			req := loginRequest(tt.method)
			req.UserAgent = tt.agent
			order := e.start(t, req)
			t.Cleanup(func() { _ = e.conn.Cancel(context.Background(), order) })
			e.sim.Script(order.Ref, sim.Step{Status: tt.status, HintCode: tt.hint})
			progress, err := e.poll(t, order)
			wantHint := tt.wantHint
			if wantHint == "" {
				wantHint = tt.hint
			}
			if progress.Message != tt.wantMessage || progress.HintCode != wantHint {
				t.Errorf("progress = %+v, want message %s hint %s", progress, tt.wantMessage, wantHint)
			}
			if tt.wantErr == nil {
				if err != nil || progress.Status != connectors.StatusPending {
					t.Errorf("poll = %+v, %v; want pending without error", progress, err)
				}
				return
			}
			assertFailed(t, progress, err, wantHint, tt.wantMessage, tt.wantErr)
		})
	}
}

func TestAPIErrorCodesParsedCaseInsensitively(t *testing.T) {
	tests := []struct {
		status      int
		code        string
		wantMessage string
	}{
		{http.StatusBadRequest, "ALREADYINPROGRESS", "RFA4"},
		{http.StatusBadRequest, "alreadyinprogress", "RFA4"},
		{http.StatusServiceUnavailable, "Maintenance", "RFA5"},
		{http.StatusInternalServerError, "InternalError", "RFA5"},
		{http.StatusRequestTimeout, "REQUESTTIMEOUT", "RFA5"},
		{http.StatusTooManyRequests, "tooManyRequests", "RFA5"},
		{http.StatusMethodNotAllowed, "MethodNotAllowed", "RFA5"},
		{http.StatusBadRequest, "InvalidParameters", "RFA22"},
		{http.StatusUnauthorized, "Unauthorized", "RFA22"},
		{http.StatusNotFound, "NOTFOUND", "RFA22"},
		{http.StatusUnsupportedMediaType, "unsupportedmediatype", "RFA22"},
		{http.StatusBadRequest, "somethingNew", "RFA22"},
	}
	e := newEnv(t, sim.Options{})
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			e.sim.InjectError("auth", tt.status, tt.code, 1)
			_, err := e.conn.Start(context.Background(), loginRequest(""))
			var userErr *connectors.UserError
			if !errors.As(err, &userErr) || userErr.Message != tt.wantMessage || !errors.Is(err, connectors.ErrUpstream) {
				t.Fatalf("Start: %v, want UserError %s wrapping ErrUpstream", err, tt.wantMessage)
			}
			var apiErr *sebankid.APIError
			if !errors.As(err, &apiErr) || apiErr.HTTPStatus != tt.status || apiErr.RawCode != tt.code {
				t.Fatalf("APIError = %+v, want status %d code %s", apiErr, tt.status, tt.code)
			}
			if want := sebankid.ParseErrorCode(tt.code); apiErr.Code != want || (want == sebankid.ErrorCodeUnknown) != (tt.code == "somethingNew") {
				t.Errorf("Code = %q for %q", apiErr.Code, tt.code)
			}
		})
	}
}

func TestCollectRetriedAuthNot(t *testing.T) {
	e := newEnv(t, sim.Options{})

	e.sim.InjectError("auth", http.StatusServiceUnavailable, "maintenance", 1)
	if _, err := e.conn.Start(context.Background(), loginRequest("")); err == nil {
		t.Fatal("Start succeeded through an injected maintenance error")
	}
	if n := len(e.sim.RequestsTo("auth")); n != 1 {
		t.Fatalf("auth requests = %d, want 1: starting an order is never retried", n)
	}

	order := e.start(t, loginRequest(""))
	e.sim.InjectError("collect", http.StatusServiceUnavailable, "maintenance", 2)
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusPending {
		t.Fatalf("poll through two maintenance answers = %+v, %v; want pending", progress, err)
	}
	if n := len(e.sim.RequestsTo("collect")); n != 3 {
		t.Errorf("collect requests = %d, want 3", n)
	}

	e.sim.InjectError("collect", http.StatusServiceUnavailable, "maintenance", 3)
	_, err = e.poll(t, order)
	var userErr *connectors.UserError
	if !errors.As(err, &userErr) || userErr.Message != "RFA5" || !errors.Is(err, connectors.ErrUpstream) {
		t.Errorf("poll through three maintenance answers: %v, want UserError RFA5", err)
	}

	e.sim.InjectError("collect", http.StatusBadRequest, "invalidParameters", 1)
	before := len(e.sim.RequestsTo("collect"))
	if _, err := e.poll(t, order); err == nil {
		t.Error("poll with invalidParameters succeeded")
	}
	if n := len(e.sim.RequestsTo("collect")) - before; n != 1 {
		t.Errorf("collect requests for invalidParameters = %d, want 1: our own errors are not retried", n)
	}
}
