package sim_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
	"github.com/portvakt/portvakt/connectors/mtls"
	"github.com/portvakt/portvakt/internal/nationalid"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// fixture is a simulator behind real mutual TLS and a raw API client, so the
// tests speak the wire format themselves.
type fixture struct {
	sim    *sim.Simulator
	url    string
	client *http.Client
	now    *clock
}

func newFixture(t testing.TB, opts sim.Options) *fixture {
	t.Helper()
	clk := &clock{t: time.Date(2026, 5, 17, 10, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	s, err := sim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewTestServer()
	t.Cleanup(srv.Close)
	certPEM, keyPEM, err := s.IssueClientCert("Fixture")
	if err != nil {
		t.Fatal(err)
	}
	cfg := &freja.Config{BaseURL: srv.URL, AppURL: "https://app.example.test/freja", CAPEM: string(s.CAPEM()), CertPEM: string(certPEM), KeyPEM: string(keyPEM)}
	tlsClient, err := connectorHTTPClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{sim: s, url: srv.URL, client: tlsClient, now: clk}
}

// connectorHTTPClient is the transport a connector with cfg's certificates uses.
func connectorHTTPClient(cfg *freja.Config) (*http.Client, error) {
	cert, err := tls.X509KeyPair([]byte(cfg.CertPEM), []byte(cfg.KeyPEM))
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM([]byte(cfg.CAPEM))
	return mtls.NewHTTPClient(&tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots, MinVersion: tls.VersionTLS12}, 10*time.Second), nil
}

// post sends a payload as Freja wants it and decodes the answer.
func (f *fixture) post(t testing.TB, path, param, payload string) (int, map[string]any) {
	t.Helper()
	body := param + "=" + base64.StdEncoding.EncodeToString([]byte(payload))
	req, _ := http.NewRequest(http.MethodPost, f.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func ssnInfo(country, ssn string) string {
	b, _ := json.Marshal(map[string]string{"country": country, "ssn": ssn})
	return base64.StdEncoding.EncodeToString(b)
}

func TestTestUsersHaveValidNumbers(t *testing.T) {
	types := map[string]string{"SE": nationalid.SEPersonnummer, "NO": nationalid.NOFodselsnummer, "DK": nationalid.DKCPR, "FI": nationalid.FIHETU}
	countries := map[string]bool{}
	for _, u := range sim.TestUsers() {
		if !nationalid.Valid(types[u.Country], u.SSN) {
			t.Errorf("%s: %s is not a valid %s number", u.Name(), u.SSN, u.Country)
		}
		if u.Level == freja.LevelPlus && u.Country != "SE" {
			t.Errorf("%s: PLUS is Swedish only", u.Name())
		}
		countries[u.Country] = true
	}
	if len(countries) != 4 {
		t.Errorf("test users cover %v, want SE, NO, DK and FI", countries)
	}
}

func TestAPIRefusesBadRequestsWithFrejaCodes(t *testing.T) {
	f := newFixture(t, sim.Options{})
	se := sim.TestUsers()[0]
	tests := []struct {
		name, path, param, payload string
		code                       float64
	}{
		{"not base64", freja.PathInitAuth, "initAuthRequest", "", freja.CodeInvalidJSON},
		{"unknown type", freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"FAX","userInfo":"1","minRegistrationLevel":"EXTENDED"}`, freja.CodeInvalidUserInfoType},
		{"bad ssn", freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"SSN","userInfo":"` + ssnInfo("NO", se.SSN) + `","minRegistrationLevel":"EXTENDED"}`, freja.CodeInvalidUserInfo},
		{"unknown person", freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"SSN","userInfo":"` + ssnInfo("SE", "200102084241") + `","minRegistrationLevel":"EXTENDED"}`, freja.CodeNoSuchUser},
		{"ssn with basic", freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"SSN","userInfo":"` + ssnInfo("SE", se.SSN) + `","minRegistrationLevel":"BASIC"}`, freja.CodeInvalidRegistrationLevel},
		{"unknown level", freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"GOLD"}`, freja.CodeInvalidRegistrationLevel},
		{"unknown attribute", freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"EXTENDED","attributesToReturn":[{"attribute":"SHOE_SIZE"}]}`, freja.CodeInvalidAttributes},
		{"sign without text", freja.PathInitSign, "initSignRequest", `{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"EXTENDED","dataToSignType":"SIMPLE_UTF8_TEXT","signatureType":"SIMPLE"}`, freja.CodeInvalidDataToSign},
		{"unknown reference", freja.PathAuthResult, "getOneAuthResultRequest", `{"authRef":"nothing"}`, freja.CodeInvalidReference},
		{"cancel unknown", freja.PathCancelAuth, "cancelAuthRequest", `{"authRef":"nothing"}`, freja.CodeInvalidReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := f.post(t, tt.path, tt.param, tt.payload)
			if tt.name == "not base64" {
				status, body = f.raw(t, tt.path, tt.param+"=%%%")
			}
			if status != http.StatusBadRequest || body["code"] != tt.code {
				t.Errorf("answer %d %v, want 400 with code %v", status, body, tt.code)
			}
		})
	}
}

func (f *fixture) raw(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	resp, err := f.client.Post(f.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestStateMachine(t *testing.T) {
	f := newFixture(t, sim.Options{})
	u := sim.TestUsers()[2]
	_, started := f.post(t, freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"SSN","userInfo":"`+ssnInfo(u.Country, u.SSN)+`","minRegistrationLevel":"EXTENDED"}`)
	ref, _ := started["authRef"].(string)
	if ref == "" || started["qrCodeSecret"] != nil {
		t.Fatalf("init = %v, want an authRef and no QR secret", started)
	}
	result := func() map[string]any {
		_, out := f.post(t, freja.PathAuthResult, "getOneAuthResultRequest", `{"authRef":"`+ref+`"}`)
		return out
	}
	f.sim.Script(ref, freja.StatusDeliveredToMobile, freja.StatusApproved)
	if got := result(); got["status"] != freja.StatusDeliveredToMobile || got["details"] != nil {
		t.Errorf("first = %v", got)
	}
	got := result()
	if got["status"] != freja.StatusApproved || got["details"] == nil {
		t.Fatalf("second = %v, want APPROVED with details", got)
	}
	// The final result can be fetched again; cancelling it cannot.
	if again := result(); again["details"] != got["details"] {
		t.Errorf("the final result changed: %v", again)
	}
	if status, body := f.post(t, freja.PathCancelAuth, "cancelAuthRequest", `{"authRef":"`+ref+`"}`); status != http.StatusBadRequest || body["code"] != float64(freja.CodeInvalidReference) {
		t.Errorf("cancel after approval = %d %v", status, body)
	}
}

func TestWrongClientCertificateGetsNoAnswer(t *testing.T) {
	f := newFixture(t, sim.Options{})
	other, _ := sim.New(sim.Options{})
	certPEM, keyPEM, _ := other.IssueClientCert("Intruder")
	client, err := connectorHTTPClient(&freja.Config{CAPEM: string(f.sim.CAPEM()), CertPEM: string(certPEM), KeyPEM: string(keyPEM)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Post(f.url+freja.PathInitAuth, "application/json", strings.NewReader("initAuthRequest=e30=")); err == nil {
		t.Error("a certificate of another CA got an answer")
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("%d requests recorded, want none", n)
	}
}

// TestAppPageInSwedishOnAPhone plays the person: the QR code's link opens the
// simulated app, which says in Swedish what the service asks, and confirming
// there approves the transaction.
func TestAppPageInSwedishOnAPhone(t *testing.T) {
	f := newFixture(t, sim.Options{AppBasePath: "/sim/freja/"})
	app := httptest.NewServer(f.sim.AppHandler())
	t.Cleanup(app.Close)
	_, started := f.post(t, freja.PathInitAuth, "initAuthRequest", `{"userInfoType":"INFERRED","userInfo":"N/A","minRegistrationLevel":"PLUS","useDynamicQrCode":true}`)
	ref, secret := started["authRef"].(string), started["qrCodeSecret"].(string)
	link := freja.DynamicQRContent(app.URL+f.sim.AppLinkPath(), ref, secret, 0)

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	get := func(u string) (string, *url.URL) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Accept-Language", "sv-SE,sv;q=0.9")
		req.Header.Set("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148")
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), resp.Request.URL
	}
	page, at := get(link)
	for _, want := range []string{`lang="sv"`, "Bekräfta din identitet", "registreringsnivå PLUS", "Elin Frejasdotter", ">Neka</button>"} {
		if !strings.Contains(page, want) {
			t.Errorf("transaction page %s lacks %q", at, want)
		}
	}
	if tx, _ := f.sim.Transaction(ref); tx.Status != freja.StatusDeliveredToMobile {
		t.Errorf("status after the link = %s, want DELIVERED_TO_MOBILE", tx.Status)
	}
	form := url.Values{"ref": {ref}, "ssn": {sim.TestUsers()[0].SSN}}
	req, _ := http.NewRequest(http.MethodPost, app.URL+"/sim/freja/approve", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "sv-SE,sv;q=0.9")
	resp, err := browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if tx, _ := f.sim.Transaction(ref); tx.Status != freja.StatusApproved || !strings.Contains(string(b), "Klart.") {
		t.Errorf("after confirming: status %s, page %s", tx.Status, b)
	}
}

func TestDevConfigIsTheProductionShape(t *testing.T) {
	s, err := sim.Start(context.Background(), connectors.SimulatorOptions{ID: "freja", Origin: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := s.ConnectorConfig()
	raw, _ := json.Marshal(cfg)
	var c freja.Config
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("dev config %s: %v", raw, err)
	}
	conn, err := c.Open(context.Background(), "freja", connectors.Deps{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	order, err := conn.(connectors.OrderConnector).Start(context.Background(), connectors.Request{EndUserIP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	qr := conn.(connectors.OrderConnector).QR(order, time.Now())
	if !strings.HasPrefix(qr, "http://127.0.0.1:8080/sim/freja/link?action=bindUserToTransaction&transactionReference=") {
		t.Errorf("dev QR code %q does not open the simulated app", qr)
	}
}
