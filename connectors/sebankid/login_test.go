package sebankid_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

func TestCompleteLoginOtherDevice(t *testing.T) {
	e := newEnv(t, sim.Options{})
	user := sim.TestUsers()[1]
	order := e.start(t, loginRequest(""))

	// The launch URL lets the QR page offer the app on this device instead.
	if order.Method != sebankid.MethodOtherDevice || !strings.HasPrefix(order.LaunchURL, "bankid:///") || order.PollInterval != 2*time.Second {
		t.Fatalf("order = %+v, want other-device with a launch url, polled every 2s", order)
	}
	if !order.StartedAt.Equal(e.clock.Now()) {
		t.Errorf("StartedAt = %v, want the injected clock's %v", order.StartedAt, e.clock.Now())
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusPending || progress.HintCode != "outstandingTransaction" || progress.Message != "RFA1" {
		t.Fatalf("first poll = %+v, %v; want pending outstandingTransaction RFA1", progress, err)
	}

	e.clock.Advance(4 * time.Second)
	ref, err := e.sim.ScanQR(e.conn.QR(order, e.clock.Now()))
	if err != nil || ref != order.Ref {
		t.Fatalf("ScanQR = %q, %v; want %q", ref, err, order.Ref)
	}
	progress, err = e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusPending || progress.Message != "RFA9" {
		t.Fatalf("poll after scan = %+v, %v; want pending RFA9", progress, err)
	}

	if _, err := e.sim.Approve(order.Ref, user.PersonalNumber); err != nil {
		t.Fatalf("Approve: %v", err)
	}
	progress, err = e.poll(t, order)
	if err != nil || progress.Status != connectors.StatusComplete || progress.Identity == nil {
		t.Fatalf("poll after approval = %+v, %v; want complete", progress, err)
	}
	id := progress.Identity
	want := connectors.Identity{
		Connector:      "se-bankid",
		Country:        "SE",
		NationalID:     user.PersonalNumber,
		NationalIDType: connectors.IDTypeSEPersonnummer,
		GivenName:      user.GivenName,
		FamilyName:     user.Surname,
		Name:           user.GivenName + " " + user.Surname,
		Birthdate:      "1952-03-14",
		LoA:            connectors.LoASubstantial,
		Method:         sebankid.MethodOtherDeviceURN,
		UpstreamACR:    "http://id.elegnamnden.se/loa/1.0/loa3",
	}
	got := *id
	got.AMR, got.Evidence = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("identity =\n%+v\nwant\n%+v", got, want)
	}
	if len(id.AMR) != 1 || id.AMR[0] != "bankid" {
		t.Errorf("AMR = %v, want [bankid]", id.AMR)
	}
	var evidence struct {
		OrderRef     string `json:"orderRef"`
		Signature    string `json:"signature"`
		OCSPResponse string `json:"ocspResponse"`
		Device       struct {
			IPAddress string `json:"ipAddress"`
			UHI       string `json:"uhi"`
		} `json:"device"`
		BankIDIssueDate string `json:"bankIdIssueDate"`
	}
	if err := json.Unmarshal(id.Evidence, &evidence); err != nil {
		t.Fatalf("evidence: %v", err)
	}
	if evidence.OrderRef != order.Ref || evidence.Signature == "" || evidence.OCSPResponse == "" ||
		evidence.Device.IPAddress != "203.0.113.7" || evidence.Device.UHI == "" || evidence.BankIDIssueDate == "" {
		t.Errorf("evidence = %+v, want order ref, signature, ocsp, device and issue date", evidence)
	}

	// The final answer is given once; the order is then gone and cancelling it is fine.
	if err := e.conn.Cancel(context.Background(), order); err != nil {
		t.Errorf("Cancel after completion: %v", err)
	}
}

func TestSamordningsnummerBirthdate(t *testing.T) {
	e := newEnv(t, sim.Options{AutoApprove: true})
	req := loginRequest("")
	req.NationalID = "197704652390"
	order := e.start(t, req)
	progress, err := e.poll(t, order)
	if err != nil || progress.Identity == nil {
		t.Fatalf("poll = %+v, %v", progress, err)
	}
	if progress.Identity.Birthdate != "1977-04-05" || progress.Identity.NationalID != "197704652390" {
		t.Errorf("identity = %+v, want birthdate 1977-04-05 from the samordningsnummer", progress.Identity)
	}
}

func TestUserCancelsInApp(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest(""))
	if _, err := e.sim.Decline(order.Ref); err != nil {
		t.Fatalf("Decline: %v", err)
	}
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, "userCancel", "RFA6", connectors.ErrCancelled)
}

func TestOrderExpires(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest(""))
	e.clock.Advance(3*time.Minute + time.Second)
	if _, err := e.sim.ScanQR(e.conn.QR(order, e.clock.Now())); !errors.Is(err, sim.ErrOrderOver) {
		t.Errorf("ScanQR of an expired order: %v, want ErrOrderOver", err)
	}
	progress, err := e.poll(t, order)
	assertFailed(t, progress, err, "expiredTransaction", "RFA8", connectors.ErrExpired)
}

func TestAlreadyInProgress(t *testing.T) {
	e := newEnv(t, sim.Options{})
	req := loginRequest("")
	req.NationalID = sim.TestUsers()[2].PersonalNumber
	first := e.start(t, req)

	_, err := e.conn.Start(context.Background(), req)
	var userErr *connectors.UserError
	if !errors.As(err, &userErr) || userErr.Message != "RFA4" || !errors.Is(err, connectors.ErrUpstream) {
		t.Fatalf("second Start: %v, want UserError RFA4 wrapping ErrUpstream", err)
	}
	// BankID cancels the order already in progress, too.
	progress, err := e.poll(t, first)
	assertFailed(t, progress, err, "cancelled", "RFA3", connectors.ErrCancelled)
}

func TestClientCertificateFromAnotherCARefused(t *testing.T) {
	e := newEnv(t, sim.Options{})
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := other.IssueClientCert("Intruder")
	if err != nil {
		t.Fatal(err)
	}
	cfg := *e.cfg
	cfg.CertPEM, cfg.KeyPEM = string(certPEM), string(keyPEM)
	_, err = openConnector(t, &cfg).Start(context.Background(), loginRequest(""))
	var userErr *connectors.UserError
	if !errors.As(err, &userErr) || userErr.Message != "RFA5" || !errors.Is(err, connectors.ErrUpstream) {
		t.Fatalf("Start with a foreign client certificate: %v, want UserError RFA5 wrapping ErrUpstream", err)
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("simulator handled %d requests, want none", n)
	}
}

func TestServerFromAnotherCANotTrusted(t *testing.T) {
	e := newEnv(t, sim.Options{})
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := *e.cfg
	cfg.CAPEM = string(other.CAPEM())
	if _, err := openConnector(t, &cfg).Start(context.Background(), loginRequest("")); !errors.Is(err, connectors.ErrUpstream) {
		t.Fatalf("Start against an untrusted server: %v, want ErrUpstream", err)
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("simulator handled %d requests, want none", n)
	}
}

func TestSameDeviceThroughAppPage(t *testing.T) {
	e := newEnv(t, sim.Options{AppBasePath: "/sim/se-bankid/"})
	app := httptestServer(t, e.sim.AppHandler())
	order := e.start(t, loginRequest(sebankid.MethodSameDevice))

	launch, err := url.Parse(order.LaunchURL)
	if err != nil || launch.Scheme != "bankid" || launch.Query().Get("redirect") != "null" || launch.Query().Get("autostarttoken") == "" {
		t.Fatalf("LaunchURL = %q, want bankid:///?autostarttoken=…&redirect=null", order.LaunchURL)
	}
	if qr := e.conn.QR(order, e.clock.Now()); qr != "" {
		t.Errorf("QR for a same-device order = %q, want none", qr)
	}
	progress, err := e.poll(t, order)
	if err != nil || progress.Message != "RFA13" {
		t.Fatalf("poll = %+v, %v; want RFA13 while the app starts", progress, err)
	}

	client := noRedirectClient()
	resp, err := client.Get(e.sim.AppLaunchURL(app.URL, order.LaunchURL))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/sim/se-bankid/order?ref=") {
		t.Fatalf("autostart link: %d to %q, want 303 to the order page", resp.StatusCode, resp.Header.Get("Location"))
	}
	page := getPage(t, client, app.URL+resp.Header.Get("Location"))
	if !strings.Contains(page, order.Ref) {
		t.Fatalf("order page does not show the order")
	}

	user := sim.TestUsers()[3]
	resp, err = client.PostForm(app.URL+"/sim/se-bankid/approve", url.Values{"ref": {order.Ref}, "personalNumber": {user.PersonalNumber}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != loginRequest("").ReturnURL {
		t.Fatalf("approve: %d to %q, want 303 to the returnUrl", resp.StatusCode, resp.Header.Get("Location"))
	}
	progress, err = e.poll(t, order)
	if err != nil || progress.Identity == nil || progress.Identity.NationalID != user.PersonalNumber || progress.Identity.Method != sebankid.MethodSameDeviceURN {
		t.Fatalf("poll = %+v, %v; want complete as %s with the same-device method", progress, err, user.PersonalNumber)
	}
}

func TestCancel(t *testing.T) {
	e := newEnv(t, sim.Options{})
	order := e.start(t, loginRequest(""))
	if err := e.conn.Cancel(context.Background(), order); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	if _, ok := e.sim.Order(order.Ref); ok {
		t.Errorf("order still known to the simulator after Cancel")
	}
	if err := e.conn.Cancel(context.Background(), order); err != nil {
		t.Errorf("second Cancel: %v, want nil for an order that is already over", err)
	}
	if n := len(e.sim.RequestsTo("cancel")); n != 2 {
		t.Errorf("cancel requests = %d, want 2", n)
	}
}

func TestStartRefusesWhatBankIDCannotDo(t *testing.T) {
	e := newEnv(t, sim.Options{})
	tests := []struct {
		name    string
		change  func(*connectors.Request)
		wantErr error
	}{
		{"high level", func(r *connectors.Request) { r.MinLoA = connectors.LoAHigh }, connectors.ErrLoANotSupported},
		{"ten-digit personal number", func(r *connectors.Request) { r.NationalID = "8507232398" }, nil},
		{"bad check digit", func(r *connectors.Request) { r.NationalID = "198507232399" }, nil},
		{"unknown method", func(r *connectors.Request) { r.Method = "phone" }, nil},
		{"no end user ip", func(r *connectors.Request) { r.EndUserIP = "" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := loginRequest("")
			tt.change(&req)
			_, err := e.conn.Start(context.Background(), req)
			if err == nil {
				t.Fatal("Start succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Start: %v, want %v", err, tt.wantErr)
			}
		})
	}
	if n := len(e.sim.Requests()); n != 0 {
		t.Errorf("simulator got %d requests, want none", n)
	}
}

func assertFailed(t *testing.T, progress connectors.Progress, err error, hint, message string, sentinel error) {
	t.Helper()
	if progress.Status != connectors.StatusFailed || progress.HintCode != hint || progress.Message != message {
		t.Errorf("progress = %+v, want failed %s %s", progress, hint, message)
	}
	var userErr *connectors.UserError
	if !errors.As(err, &userErr) || userErr.Message != message || !errors.Is(err, sentinel) {
		t.Errorf("err = %v, want UserError %s wrapping %v", err, message, sentinel)
	}
}
