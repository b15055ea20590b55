package freja_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
	"github.com/portvakt/portvakt/internal/nationalid"
)

func TestCompleteLoginPerCountry(t *testing.T) {
	tests := []struct {
		country, level string
		minLoA         connectors.LoA
		wantType       string
		wantBirthdate  string
		wantLoA        connectors.LoA
	}{
		{"SE", freja.LevelPlus, connectors.LoASubstantial, nationalid.SEPersonnummer, "1991-04-17", connectors.LoASubstantial},
		{"SE", freja.LevelExtended, connectors.LoALow, nationalid.SEPersonnummer, "1963-11-30", connectors.LoALow},
		{"NO", freja.LevelExtended, connectors.LoALow, nationalid.NOFodselsnummer, "1991-08-21", connectors.LoALow},
		{"DK", freja.LevelExtended, connectors.LoALow, nationalid.DKCPR, "1993-10-12", connectors.LoALow},
		{"FI", freja.LevelExtended, connectors.LoALow, nationalid.FIHETU, "1988-07-21", connectors.LoALow},
	}
	for _, tt := range tests {
		t.Run(tt.country+"-"+tt.level, func(t *testing.T) {
			e := newEnv(t, sim.Options{})
			u := user(t, tt.country, tt.level)
			order := e.start(t, loginRequest("", tt.minLoA))
			if order.Method != freja.MethodOtherDevice || !strings.HasPrefix(order.LaunchURL, "frejaeid://bindUserToTransaction?") || order.PollInterval != 2*time.Second {
				t.Fatalf("order = %+v, want other-device with an app link, polled every 2s", order)
			}
			progress, err := e.poll(t, order)
			if err != nil || progress.Status != connectors.StatusPending || progress.HintCode != freja.StatusStarted || progress.Message != freja.MsgScanQR {
				t.Fatalf("first poll = %+v, %v; want pending STARTED %s", progress, err, freja.MsgScanQR)
			}
			e.clock.Advance(3 * time.Second)
			if ref, err := e.sim.ScanQR(e.conn.QR(order, e.clock.Now())); err != nil || ref != order.Ref {
				t.Fatalf("ScanQR = %q, %v; want %q", ref, err, order.Ref)
			}
			progress, err = e.poll(t, order)
			if err != nil || progress.HintCode != freja.StatusDeliveredToMobile || progress.Message != freja.MsgDelivered {
				t.Fatalf("poll after scan = %+v, %v; want DELIVERED_TO_MOBILE", progress, err)
			}
			if _, err := e.sim.Approve(order.Ref, u.SSN); err != nil {
				t.Fatalf("Approve: %v", err)
			}
			progress, err = e.poll(t, order)
			if err != nil || progress.Status != connectors.StatusComplete || progress.Identity == nil {
				t.Fatalf("poll after approval = %+v, %v; want complete", progress, err)
			}
			id := progress.Identity
			if id.Connector != "freja" || id.Country != tt.country || id.NationalID != u.SSN || id.NationalIDType != tt.wantType ||
				id.GivenName != u.GivenName || id.FamilyName != u.Surname || id.Name != u.Name() || id.Birthdate != tt.wantBirthdate ||
				id.LoA != tt.wantLoA || id.UpstreamACR != tt.level || id.Method != freja.MethodOtherDeviceURN {
				t.Errorf("identity = %+v", id)
			}
			var evidence struct{ Ref, Details string }
			if err := json.Unmarshal(id.Evidence, &evidence); err != nil || evidence.Ref != order.Ref || strings.Count(evidence.Details, ".") != 2 {
				t.Errorf("evidence = %s, %v; want the reference and the details JWS", id.Evidence, err)
			}
		})
	}
}

func TestSubstantialAsksForPlus(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest("", connectors.LoASubstantial))
	init := e.sim.RequestsTo(freja.PathInitAuth)
	var payload struct {
		MinRegistrationLevel string `json:"minRegistrationLevel"`
		UserInfoType         string `json:"userInfoType"`
		UseDynamicQRCode     bool   `json:"useDynamicQrCode"`
	}
	if len(init) != 1 || json.Unmarshal(init[0].Payload, &payload) != nil {
		t.Fatalf("initAuthentication requests = %+v", init)
	}
	if payload.MinRegistrationLevel != freja.LevelPlus || payload.UserInfoType != freja.UserInfoInferred || !payload.UseDynamicQRCode {
		t.Errorf("payload = %+v, want PLUS, INFERRED and a dynamic QR code", payload)
	}
	// Freja lets nobody below PLUS approve.
	if _, err := e.sim.Approve(order.Ref, user(t, "SE", freja.LevelExtended).SSN); !errors.Is(err, sim.ErrLevelTooLow) {
		t.Errorf("Approve by an EXTENDED person = %v, want ErrLevelTooLow", err)
	}
}

func TestLowerLevelThanAskedRefused(t *testing.T) {
	// An upstream that lets an EXTENDED person approve a PLUS transaction.
	e := newEnv(t, sim.Options{IgnoreRegistrationLevel: true})
	order := e.start(t, loginRequest("", connectors.LoASubstantial))
	if _, err := e.sim.Approve(order.Ref, user(t, "SE", freja.LevelExtended).SSN); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, freja.MsgLevel, connectors.ErrLoANotSupported)
	if progress.Identity != nil {
		t.Errorf("identity = %+v, want none", progress.Identity)
	}
}

func TestHighNotReached(t *testing.T) {
	e := newEnv(t, sim.Options{})
	_, err := e.conn.Start(context.Background(), loginRequest("", connectors.LoAHigh))
	if !errors.Is(err, connectors.ErrLoANotSupported) {
		t.Errorf("Start at high = %v, want ErrLoANotSupported", err)
	}
	if got := len(e.sim.RequestsTo(freja.PathInitAuth)); got != 0 {
		t.Errorf("%d transactions started, want none", got)
	}
	noSweden := newEnv(t, sim.Options{}, func(c *freja.Config) { c.Countries = []string{"NO", "DK"} })
	if _, err := noSweden.conn.Start(context.Background(), loginRequest("", connectors.LoASubstantial)); !errors.Is(err, connectors.ErrLoANotSupported) {
		t.Errorf("Start at substantial without Sweden = %v, want ErrLoANotSupported", err)
	}
}

func TestUserRejects(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest(freja.MethodSameDevice, connectors.LoALow))
	if _, err := e.sim.Reject(order.Ref); err != nil {
		t.Fatalf("Reject: %v", err)
	}
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, freja.MsgRejected, connectors.ErrCancelled)
}

func TestExpiresAfterTwoMinutes(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest("", connectors.LoALow))
	e.clock.Advance(119 * time.Second)
	if progress, err := e.poll(t, order); err != nil || progress.Status != connectors.StatusPending {
		t.Fatalf("poll at 1:59 = %+v, %v; want pending", progress, err)
	}
	e.clock.Advance(time.Second)
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, freja.MsgExpired, connectors.ErrExpired)
	if _, err := e.sim.Approve(order.Ref, ""); !errors.Is(err, sim.ErrOver) {
		t.Errorf("Approve after expiry = %v, want ErrOver", err)
	}
}

func TestSecondTransactionCancelsBoth(t *testing.T) {
	e := newEnv(t, sim.Options{})
	u := user(t, "NO", freja.LevelExtended)
	req := loginRequest("", connectors.LoALow)
	req.NationalID, req.Push = u.SSN, true
	first := e.start(t, req)
	if first.Method != "push" || first.LaunchURL != "" || e.conn.QR(first, e.clock.Now()) != "" {
		t.Fatalf("pushed order = %+v, want neither app link nor QR code", first)
	}
	if p, err := e.poll(t, first); err != nil || p.Message != freja.MsgPushed {
		t.Fatalf("poll = %+v, %v; want pending %s", p, err, freja.MsgPushed)
	}
	second := e.start(t, req)
	for name, order := range map[string]*connectors.Order{"first": first, "second": second} {
		progress, err := e.poll(t, order)
		if progress.HintCode != freja.StatusCanceled {
			t.Errorf("%s: status %q, want CANCELED", name, progress.HintCode)
		}
		assertFailed(t, progress, err, freja.MsgCanceled, connectors.ErrCancelled)
	}
}

func TestInferredApprovalWithAnotherInProgressCancelsBoth(t *testing.T) {
	e := newEnv(t, sim.Options{})
	u := user(t, "SE", freja.LevelPlus)
	pushed := loginRequest("", connectors.LoALow)
	pushed.NationalID, pushed.Push = u.SSN, true
	first := e.start(t, pushed)
	second := e.start(t, loginRequest("", connectors.LoALow))
	if _, err := e.sim.Approve(second.Ref, u.SSN); !errors.Is(err, sim.ErrBothCanceled) {
		t.Fatalf("Approve = %v, want ErrBothCanceled", err)
	}
	for _, order := range []*connectors.Order{first, second} {
		progress, err := e.poll(t, order)
		assertFailed(t, progress, err, freja.MsgCanceled, connectors.ErrCancelled)
	}
}

func TestTamperedDetailsRefused(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest("", connectors.LoALow))
	e.sim.TamperDetails(order.Ref)
	if _, err := e.sim.Approve(order.Ref, user(t, "DK", freja.LevelExtended).SSN); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, freja.MsgFailed, connectors.ErrInvalidResponse)
	if progress.Identity != nil {
		t.Errorf("identity = %+v, want none", progress.Identity)
	}
}

func TestDetailsSignedByAnotherKeyRefused(t *testing.T) {
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Options{AutoApprove: true}, func(c *freja.Config) { c.JWSCertPEM = string(other.JWSCertPEM()) })
	order := e.start(t, loginRequest("", connectors.LoALow))
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, freja.MsgFailed, connectors.ErrInvalidResponse)
}

func TestWrongClientCertificateRefused(t *testing.T) {
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := other.IssueClientCert("Someone else")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Options{}, func(c *freja.Config) { c.CertPEM, c.KeyPEM = string(certPEM), string(keyPEM) })
	_, err = e.conn.Start(context.Background(), loginRequest("", connectors.LoALow))
	if !errors.Is(err, connectors.ErrUpstream) {
		t.Errorf("Start with a foreign certificate = %v, want ErrUpstream", err)
	}
	if got := len(e.sim.Requests()); got != 0 {
		t.Errorf("the simulator served %d requests, want none", got)
	}
}

func TestServerOfAnotherCARefused(t *testing.T) {
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Options{}, func(c *freja.Config) { c.CAPEM = string(other.CAPEM()) })
	if _, err := e.conn.Start(context.Background(), loginRequest("", connectors.LoALow)); !errors.Is(err, connectors.ErrUpstream) {
		t.Errorf("Start against an untrusted server = %v, want ErrUpstream", err)
	}
}

func TestSameDeviceReturnsToTheLogin(t *testing.T) {
	e := newEnv(t, sim.Options{})
	req := loginRequest(freja.MethodSameDevice, connectors.LoALow)
	order := e.start(t, req)
	want := "frejaeid://bindUserToTransaction?transactionReference=" + order.Ref + "&originAppScheme=https%3A%2F%2Flogin.example.test%2Flogin%2Fauth-request-1"
	if order.LaunchURL != want {
		t.Errorf("LaunchURL = %q, want %q", order.LaunchURL, want)
	}
	if qr := e.conn.QR(order, e.clock.Now()); qr != "" {
		t.Errorf("same-device QR = %q, want none", qr)
	}
	if p, _ := e.poll(t, order); p.Message != freja.MsgStartSameDevice {
		t.Errorf("message = %q, want %s", p.Message, freja.MsgStartSameDevice)
	}
	if err := e.sim.OpenApp(order.Ref, req.ReturnURL); err != nil {
		t.Fatal(err)
	}
	back, err := e.sim.Approve(order.Ref, "")
	if err != nil || back != req.ReturnURL {
		t.Fatalf("Approve = %q, %v; want the return URL", back, err)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Identity == nil || progress.Identity.Method != freja.MethodSameDeviceURN {
		t.Errorf("poll = %+v, %v; want complete by the same-device method", progress, err)
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest("", connectors.LoALow))
	if err := e.conn.Cancel(context.Background(), order); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if tx, _ := e.sim.Transaction(order.Ref); tx.Status != freja.StatusRPCanceled {
		t.Errorf("status = %q, want RP_CANCELED", tx.Status)
	}
	// A transaction that is over is not an error to cancel.
	if err := e.conn.Cancel(context.Background(), order); err != nil {
		t.Errorf("second Cancel: %v", err)
	}
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, freja.MsgRPCanceled, connectors.ErrCancelled)
}

func TestRequestsAreFormStyleBase64(t *testing.T) {
	e := newEnv(t, sim.Options{}, func(c *freja.Config) { c.RelyingPartyID = "relying-party-7" })
	order := e.start(t, loginRequest("", connectors.LoALow))
	if _, err := e.poll(t, order); err != nil {
		t.Fatal(err)
	}
	reqs := e.sim.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %+v", reqs)
	}
	for i, want := range []struct{ path, param string }{{freja.PathInitAuth, "initAuthRequest"}, {freja.PathAuthResult, "getOneAuthResultRequest"}} {
		r := reqs[i]
		if r.Path != want.path || r.Param != want.param || r.ContentType != "application/json" || r.RelyingPartyID != "relying-party-7" || r.ClientCN != "Test relying party" {
			t.Errorf("request %d = %+v, want %s with %s", i, r, want.path, want.param)
		}
	}
	var result struct{ AuthRef string }
	if err := json.Unmarshal(reqs[1].Payload, &result); err != nil || result.AuthRef != order.Ref {
		t.Errorf("getOneResult payload = %s", reqs[1].Payload)
	}
}

func TestPushOnlyToAnAcceptedCountry(t *testing.T) {
	e := newEnv(t, sim.Options{AutoApprove: true})
	req := loginRequest("", connectors.LoALow)
	req.NationalID, req.Countries, req.Push = user(t, "DK", freja.LevelExtended).SSN, []string{"NO", "FI"}, true
	if _, err := e.conn.Start(context.Background(), req); !errors.Is(err, connectors.ErrCountryNotAccepted) {
		t.Errorf("Start for a Dane when NO and FI are accepted = %v, want ErrCountryNotAccepted", err)
	}
	req.Countries = []string{"DK"}
	order := e.start(t, req)
	if p, err := e.poll(t, order); err != nil || p.Identity == nil || p.Identity.Country != "DK" {
		t.Errorf("poll = %+v, %v; want the Dane", p, err)
	}
}

func TestDetailsOfAnotherTransactionRefused(t *testing.T) {
	e := newEnv(t, sim.Options{})
	mine := e.start(t, loginRequest("", connectors.LoALow))
	theirs := e.start(t, loginRequest("", connectors.LoALow))
	if _, err := e.sim.Approve(theirs.Ref, user(t, "SE", freja.LevelPlus).SSN); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.Approve(mine.Ref, user(t, "FI", freja.LevelExtended).SSN); err != nil {
		t.Fatal(err)
	}
	e.sim.ReplayDetails(mine.Ref, theirs.Ref)
	progress, err := e.poll(t, mine)
	assertFailed(t, progress, err, freja.MsgFailed, connectors.ErrInvalidResponse)
}
