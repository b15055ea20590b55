package sim_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/internal/nationalid"
)

func TestTestUsersHaveValidCheckDigits(t *testing.T) {
	users := sim.TestUsers()
	if len(users) < 4 {
		t.Fatalf("%d test users, want at least 4", len(users))
	}
	for _, u := range users {
		pnr := u.PersonalNumber
		// Luhn over the last ten digits, computed here rather than trusted from nationalid.
		sum := 0
		for i, r := range pnr[2:] {
			d := int(r - '0')
			if i%2 == 0 {
				if d *= 2; d > 9 {
					d -= 9
				}
			}
			sum += d
		}
		if len(pnr) != 12 || sum%10 != 0 || !nationalid.Valid(nationalid.SEPersonnummer, pnr) {
			t.Errorf("%s %s: %s has a bad check digit", u.GivenName, u.Surname, pnr)
		}
		year, _ := strconv.Atoi(pnr[:4])
		if year < 1950 || year > 2005 {
			t.Errorf("%s born %d, want 1950–2005", pnr, year)
		}
	}
}

// fixture is a simulator behind real mutual TLS with a raw client.
type fixture struct {
	sim    *sim.Simulator
	base   string
	client *http.Client
	now    *manualClock
}

type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFixture(t testing.TB, opts sim.Options) *fixture {
	t.Helper()
	clk := &manualClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	opts.Now = clk.Now
	s, err := sim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := s.NewTestServer()
	t.Cleanup(srv.Close)
	return &fixture{sim: s, base: srv.URL + sim.APIPath, client: clientFor(t, s, s), now: clk}
}

// clientFor trusts trust's CA and presents a certificate issued by issuer.
func clientFor(t testing.TB, trust, issuer *sim.Simulator) *http.Client {
	t.Helper()
	certPEM, keyPEM, err := issuer.IssueClientCert("rp")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(trust.CAPEM())
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}}}
}

func (f *fixture) call(t testing.TB, method, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, f.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s: non-JSON answer %q", method, path, data)
	}
	return resp.StatusCode, out
}

func (f *fixture) post(t testing.TB, path, body string) (int, map[string]any) {
	return f.call(t, http.MethodPost, path, "application/json", body)
}

func TestAPIErrors(t *testing.T) {
	f := newFixture(t, sim.Options{})
	pending := sim.TestUsers()[0].PersonalNumber
	if status, out := f.post(t, "auth", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"`+pending+`"}}`); status != 200 || out["orderRef"] == nil {
		t.Fatalf("auth = %d %v", status, out)
	}
	tests := []struct {
		name, method, path, contentType, body string
		wantStatus                            int
		wantCode                              string
	}{
		{"get", http.MethodGet, "auth", "application/json", `{}`, 405, "methodNotAllowed"},
		{"charset", http.MethodPost, "auth", "application/json; charset=utf-8", `{"endUserIp":"192.0.2.1"}`, 415, "unsupportedMediaType"},
		{"form", http.MethodPost, "auth", "application/x-www-form-urlencoded", `endUserIp=192.0.2.1`, 415, "unsupportedMediaType"},
		{"no end user ip", http.MethodPost, "auth", "application/json", `{}`, 400, "invalidParameters"},
		{"bad ip", http.MethodPost, "auth", "application/json", `{"endUserIp":"localhost"}`, 400, "invalidParameters"},
		{"bad json", http.MethodPost, "auth", "application/json", `{"endUserIp":`, 400, "invalidParameters"},
		{"bad personal number", http.MethodPost, "auth", "application/json", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"198507232399"}}`, 400, "invalidParameters"},
		{"ten-digit personal number", http.MethodPost, "auth", "application/json", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"8507232398"}}`, 400, "invalidParameters"},
		{"bad card reader", http.MethodPost, "auth", "application/json", `{"endUserIp":"192.0.2.1","requirement":{"cardReader":"class3"}}`, 400, "invalidParameters"},
		{"visible data not base64", http.MethodPost, "auth", "application/json", `{"endUserIp":"192.0.2.1","userVisibleData":"*"}`, 400, "invalidParameters"},
		{"sign without text", http.MethodPost, "sign", "application/json", `{"endUserIp":"192.0.2.1"}`, 400, "invalidParameters"},
		{"phone without initiator", http.MethodPost, "phone/auth", "application/json", `{"personalNumber":"195203142392"}`, 400, "invalidParameters"},
		{"already in progress", http.MethodPost, "auth", "application/json", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"` + pending + `"}}`, 400, "alreadyInProgress"},
		{"unknown order", http.MethodPost, "collect", "application/json", `{"orderRef":"9a0f7e3c-0000-4000-8000-000000000000"}`, 400, "invalidParameters"},
		{"cancel unknown order", http.MethodPost, "cancel", "application/json", `{"orderRef":"9a0f7e3c-0000-4000-8000-000000000000"}`, 400, "invalidParameters"},
		{"unknown path", http.MethodPost, "payments", "application/json", `{}`, 404, "notFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := f.call(t, tt.method, tt.path, tt.contentType, tt.body)
			if status != tt.wantStatus || out["errorCode"] != tt.wantCode || out["details"] == "" {
				t.Errorf("%s %s = %d %v, want %d %s", tt.method, tt.path, status, out, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestClientCertificateRequired(t *testing.T) {
	f := newFixture(t, sim.Options{})
	other, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	foreign := clientFor(t, f.sim, other)
	if resp, err := foreign.Post(f.base+"auth", "application/json", strings.NewReader(`{"endUserIp":"192.0.2.1"}`)); err == nil {
		resp.Body.Close()
		t.Error("a client certificate from another CA was accepted")
	}
	// Behind a TLS setup that does not check, the handler itself refuses.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, sim.APIPath+"auth", strings.NewReader(`{"endUserIp":"192.0.2.1"}`))
	req.Header.Set("Content-Type", "application/json")
	f.sim.APIHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"unauthorized"`) {
		t.Errorf("no client certificate: %d %s, want 401 unauthorized", rec.Code, rec.Body)
	}
	if n := len(f.sim.Requests()); n != 0 {
		t.Errorf("%d requests recorded, want none", n)
	}
}

func TestOrderLifecycle(t *testing.T) {
	f := newFixture(t, sim.Options{})
	_, out := f.post(t, "auth", `{"endUserIp":"192.0.2.1","requirement":{"mrtd":true},"returnRisk":true}`)
	ref := out["orderRef"].(string)
	for _, field := range []string{"autoStartToken", "qrStartToken", "qrStartSecret"} {
		if s, _ := out[field].(string); len(s) != 36 {
			t.Errorf("%s = %v, want a uuid", field, out[field])
		}
	}
	collect := func() (int, map[string]any) { return f.post(t, "collect", `{"orderRef":"`+ref+`"}`) }
	if _, got := collect(); got["status"] != "pending" || got["hintCode"] != "outstandingTransaction" {
		t.Fatalf("collect = %v", got)
	}
	qr := qrFor(out["qrStartToken"].(string), out["qrStartSecret"].(string), 3)
	f.now.Advance(3 * time.Second)
	if got, err := f.sim.ScanQR(qr); err != nil || got != ref {
		t.Fatalf("ScanQR = %q, %v", got, err)
	}
	if _, got := collect(); got["hintCode"] != "userSign" {
		t.Fatalf("collect after scan = %v", got)
	}
	if _, err := f.sim.Approve(ref, "198507232399"); !errors.Is(err, sim.ErrInvalidInput) {
		t.Errorf("Approve with a bad number: %v", err)
	}
	if _, err := f.sim.Approve(ref, "195203142392"); err != nil {
		t.Fatal(err)
	}
	_, got := collect()
	data, _ := json.Marshal(got)
	var done struct {
		Status         string `json:"status"`
		HintCode       string `json:"hintCode"`
		CompletionData struct {
			User   struct{ PersonalNumber, Name, GivenName, Surname string }
			Device struct {
				IPAddress string `json:"ipAddress"`
				UHI       string `json:"uhi"`
			}
			StepUp *struct {
				Mrtd bool `json:"mrtd"`
			} `json:"stepUp"`
			Risk, Signature, OCSPResponse, BankIDIssueDate string
		}
	}
	_ = json.Unmarshal(data, &done)
	cd := done.CompletionData
	if done.Status != "complete" || done.HintCode != "" || cd.User.PersonalNumber != "195203142392" || cd.User.Name != "Greta Testberg" ||
		cd.Device.IPAddress != "192.0.2.1" || cd.StepUp == nil || !cd.StepUp.Mrtd || cd.Risk != "low" || cd.Signature == "" || cd.OCSPResponse == "" {
		t.Errorf("complete collect = %s", data)
	}
	if status, again := collect(); status != 400 || again["errorCode"] != "invalidParameters" {
		t.Errorf("second collect after completion = %d %v, want invalidParameters", status, again)
	}
}

func TestScriptsAndPhoneOrders(t *testing.T) {
	f := newFixture(t, sim.Options{})
	pnr := sim.TestUsers()[4].PersonalNumber
	f.sim.Script(pnr, sim.Pending("userCallConfirm"), sim.Pending("userSign"), sim.Complete())
	status, out := f.post(t, "phone/auth", `{"personalNumber":"`+pnr+`","callInitiator":"RP"}`)
	if status != 200 || len(out) != 1 {
		t.Fatalf("phone/auth = %d %v, want only an orderRef", status, out)
	}
	ref := out["orderRef"].(string)
	var hints []string
	for range 3 {
		_, got := f.post(t, "collect", `{"orderRef":"`+ref+`"}`)
		hints = append(hints, got["status"].(string)+"/"+stringOr(got["hintCode"]))
	}
	if want := "pending/userCallConfirm pending/userSign complete/"; strings.Join(hints, " ") != want {
		t.Errorf("collects = %v, want %s", hints, want)
	}

	_, out = f.post(t, "auth", `{"endUserIp":"2001:db8::1"}`)
	ref = out["orderRef"].(string)
	f.sim.Script(ref, sim.Pending("started"), sim.Failed("startFailed"))
	_, first := f.post(t, "collect", `{"orderRef":"`+ref+`"}`)
	_, second := f.post(t, "collect", `{"orderRef":"`+ref+`"}`)
	if first["hintCode"] != "started" || second["status"] != "failed" || second["hintCode"] != "startFailed" {
		t.Errorf("scripted collects = %v, %v", first, second)
	}
}

func TestAutoApproveAndExpiry(t *testing.T) {
	f := newFixture(t, sim.Options{AutoApprove: true})
	_, out := f.post(t, "auth", `{"endUserIp":"192.0.2.1"}`)
	_, got := f.post(t, "collect", `{"orderRef":"`+out["orderRef"].(string)+`"}`)
	user, _ := got["completionData"].(map[string]any)["user"].(map[string]any)
	if got["status"] != "complete" || user["personalNumber"] != sim.TestUsers()[0].PersonalNumber {
		t.Errorf("auto-approved collect = %v, want the default user", got)
	}

	f = newFixture(t, sim.Options{})
	_, out = f.post(t, "auth", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"196811022398"}}`)
	f.now.Advance(3 * time.Minute)
	_, got = f.post(t, "collect", `{"orderRef":"`+out["orderRef"].(string)+`"}`)
	if got["status"] != "failed" || got["hintCode"] != "expiredTransaction" {
		t.Errorf("collect after 3 minutes = %v", got)
	}
	// The expired order no longer blocks a new one for the same person.
	if status, out := f.post(t, "auth", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"196811022398"}}`); status != 200 {
		t.Errorf("auth after expiry = %d %v", status, out)
	}
}

func TestAppPageUnderPrefix(t *testing.T) {
	f := newFixture(t, sim.Options{AppBasePath: "/sim/se-bankid"})
	app := httptest.NewServer(f.sim.AppHandler())
	t.Cleanup(app.Close)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	pnr := sim.TestUsers()[1].PersonalNumber
	_, out := f.post(t, "auth", `{"endUserIp":"192.0.2.1","requirement":{"personalNumber":"`+pnr+`"}}`)
	ref := out["orderRef"].(string)

	home := get(t, noFollow, app.URL+"/sim/se-bankid/")
	if !strings.Contains(home, ref) || !strings.Contains(home, `action="/sim/se-bankid/scan"`) {
		t.Errorf("home page lacks the pending order or the scan form")
	}
	if resp, err := noFollow.Get(app.URL + "/app/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("default path answered %d under a custom base", resp.StatusCode)
		}
	}
	postForm := func(path string, form url.Values) (*http.Response, error) {
		resp, err := noFollow.PostForm(app.URL+path, form)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}

	resp, err := postForm("/sim/se-bankid/scan", url.Values{"qr": {"bankid.nope.1.00"}})
	if err != nil || resp.StatusCode == http.StatusSeeOther {
		t.Fatalf("bad QR accepted: %v", err)
	}
	qr := qrFor(out["qrStartToken"].(string), out["qrStartSecret"].(string), 0)
	resp, err = postForm("/sim/se-bankid/scan", url.Values{"qr": {qr}})
	if err != nil || resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sim/se-bankid/order?ref="+ref {
		t.Fatalf("scan: %v %v", err, resp.Header.Get("Location"))
	}
	resp, err = postForm("/sim/se-bankid/approve", url.Values{"ref": {ref}, "personalNumber": {sim.TestUsers()[0].PersonalNumber}})
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("approve as someone else than the order requires: %v %d, want 400", err, resp.StatusCode)
	}
	resp, err = postForm("/sim/se-bankid/decline", url.Values{"ref": {ref}})
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("decline: %v", err)
	}
	_, got := f.post(t, "collect", `{"orderRef":"`+ref+`"}`)
	if got["status"] != "failed" || got["hintCode"] != "userCancel" {
		t.Errorf("collect after decline = %v", got)
	}
}

func TestInjectErrorAndStart(t *testing.T) {
	s, err := sim.New(sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	apiURL, err := s.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{sim: s, base: apiURL, client: clientFor(t, s, s)}
	s.InjectError("/rp/v6.0/auth", http.StatusServiceUnavailable, "Maintenance", 1)
	if status, out := f.post(t, "auth", `{"endUserIp":"192.0.2.1"}`); status != 503 || out["errorCode"] != "Maintenance" {
		t.Errorf("injected = %d %v", status, out)
	}
	if status, _ := f.post(t, "auth", `{"endUserIp":"192.0.2.1"}`); status != 200 {
		t.Errorf("after the injected error: %d", status)
	}
	if n := len(s.RequestsTo("auth")); n != 2 {
		t.Errorf("recorded %d auth requests, want 2", n)
	}
	if !bytes.Contains(s.RequestsTo("auth")[0].Body, []byte("192.0.2.1")) {
		t.Errorf("recorded body = %s", s.RequestsTo("auth")[0].Body)
	}
}

func qrFor(token, secret string, seconds int) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.Itoa(seconds)))
	return "bankid." + token + "." + strconv.Itoa(seconds) + "." + hex.EncodeToString(mac.Sum(nil))
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	return string(b)
}

func stringOr(v any) string {
	s, _ := v.(string)
	return s
}
