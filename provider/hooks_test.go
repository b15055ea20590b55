package provider_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/provider"
)

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// consentLogin runs a login for the consent-asking client up to the consent page,
// then answers it.
func consentLogin(t *testing.T, b *broker, c *http.Client, answer url.Values) url.Values {
	t.Helper()
	q := url.Values{"client_id": {"asks"}, "response_type": {"code"}, "scope": {"openid profile national_id"},
		"redirect_uri": {rpRedirect}, "acr_values": {"urn:portvakt:eid:se:test"}, "state": {"c"}}
	resp, err := c.Get(b.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if isRedirect(resp) {
		return mustParse(t, resp.Header.Get("Location")).Query()
	}
	for _, want := range []string{"To open your account.", "**********89"} {
		if !strings.Contains(page, want) {
			t.Errorf("the consent page does not show %q", want)
		}
	}
	if strings.Contains(page, "199001012389") {
		t.Error("the consent page shows the national id unmasked")
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no consent form at %s: %.400s", resp.Request.URL, page)
	}
	answer.Set("csrf_token", m[1])
	resp, err = c.PostForm(resp.Request.URL.String()+"/consent", answer)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !isRedirect(resp) {
		t.Fatalf("consent answer: status %d", resp.StatusCode)
	}
	return mustParse(t, resp.Header.Get("Location")).Query()
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestConsent(t *testing.T) {
	b := newBroker(t)
	c := browser(t)
	if got := consentLogin(t, b, c, url.Values{"consent": {"deny"}}); got.Get("error") != "access_denied" || got.Get("iss") != b.URL {
		t.Fatalf("decline: got %v, want access_denied with iss", got)
	}
	if got := consentLogin(t, b, c, url.Values{"consent": {"allow"}, "remember": {"1"}}); got.Get("code") == "" {
		t.Fatalf("allow: got %v", got)
	}
	decisions := b.consents.decisions
	if len(decisions) != 2 || decisions[0].Granted || !decisions[1].Granted || strings.Join(decisions[1].Claims, ",") != "name,birthdate,national_id,country" {
		t.Errorf("decisions stored: %+v", decisions)
	}
	// Remembered: the next login does not ask again.
	q := url.Values{"client_id": {"asks"}, "response_type": {"code"}, "scope": {"openid profile national_id"},
		"redirect_uri": {rpRedirect}, "acr_values": {"urn:portvakt:eid:se:test"}, "prompt": {"login"}}
	if got := b.authorize(t, browser(t), q).Query(); got.Get("code") == "" {
		t.Errorf("remembered consent asked again: %v", got)
	}
}

func TestAuditEvents(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	// A person who cancels on the chooser: the client gets access_denied.
	c := browser(t)
	resp, err := c.Get(b.URL + "/authorize?" + url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get(resp.Request.URL.String() + "/cancel")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := mustParse(t, resp.Header.Get("Location")).Query(); got.Get("error") != "access_denied" {
		t.Fatalf("cancel: %v", got)
	}
	events := b.audit.all()
	if len(events) != 2 {
		t.Fatalf("%d events, want 2: %+v", len(events), events)
	}
	if e := events[0]; e.Outcome != provider.OutcomeSuccess || e.NationalID != "199001012389" || e.Connector != "se-test" ||
		e.ClientID != "rp1" || e.Subject == "" || e.ClientIP == "" || e.LoA.String() != "substantial" {
		t.Errorf("success event %+v", e)
	}
	if e := events[1]; e.Outcome != provider.OutcomeCancel || e.Error != "access_denied" || e.ClientID != "rp1" {
		t.Errorf("cancel event %+v", e)
	}
}

// TestLoginWithoutItsRecordDoesNotReachTheClient: an identification the audit
// trail cannot hold is not handed to the client (fail closed): no code comes
// back, and once the trail can be written again the person logs in as usual.
func TestLoginWithoutItsRecordDoesNotReachTheClient(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	b.audit.refuseRecords(errors.New("the database lost its quorum"))
	resp, err := browser(t).Get(b.URL + "/authorize?" + url.Values{"client_id": {"rp1"}, "response_type": {"code"},
		"scope": {"openid"}, "redirect_uri": {rpRedirect}, "acr_values": {"urn:portvakt:eid:se:test"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if code := mustParse(t, resp.Header.Get("Location")).Query().Get("code"); code != "" || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("with the trail refusing records: status %d, code %q; want 503 and no code: %.200s", resp.StatusCode, code, body)
	}
	if events := b.audit.all(); len(events) != 0 {
		t.Errorf("events %+v, want none", events)
	}
	b.audit.refuseRecords(nil)
	rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	if events := b.audit.all(); len(events) != 1 || events[0].Outcome != provider.OutcomeSuccess {
		t.Errorf("events %+v, want the one success", events)
	}
}

func TestClientCredentialsAdminToken(t *testing.T) {
	b := newBroker(t)
	token := func(client, secret, scope string) (int, map[string]any) {
		status, body := b.postForm(t, "/oauth/token", client, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {scope}})
		var v map[string]any
		_ = json.Unmarshal(body, &v)
		return status, v
	}
	status, v := token("tool", "tool-secret-0123456", "admin")
	if status != http.StatusOK {
		t.Fatalf("admin token: %d %v", status, v)
	}
	raw, _ := v["access_token"].(string)
	p, err := b.server.VerifyAdminToken(t.Context(), raw)
	if err != nil || !p.Can("admin") || p.Actor != "client:tool" {
		t.Fatalf("verify: %+v %v", p, err)
	}
	if status, _ := token("api", "api-secret-01234567", "admin"); status != http.StatusBadRequest {
		t.Errorf("a client without a role got the admin scope: %d", status)
	}
	if status, _ := token("rp1", "rp1-secret-0123456789", "admin"); status == http.StatusOK {
		t.Error("a client without the client_credentials grant got a token")
	}
	if status, _ := token("tool", "wrong", "admin"); status != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d", status)
	}
	if revoke(t, b, "tool", "tool-secret-0123456", raw) != http.StatusOK {
		t.Fatal("revoke failed")
	}
	if _, err := b.server.VerifyAdminToken(t.Context(), raw); err == nil {
		t.Error("a revoked admin token still verifies")
	}
	if _, err := b.server.VerifyAdminToken(t.Context(), raw[:len(raw)-4]+"AAAA"); err == nil {
		t.Error("a tampered admin token verifies")
	}
}

func TestMetrics(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	// The login listener serves no /metrics; portvakt serve gives it a listener of its own.
	rec := httptest.NewRecorder()
	b.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.Bytes()
	for _, want := range []string{
		`portvakt_logins_started_total{client="rp1",idp="se-test"} 1`,
		`portvakt_logins_finished_total{client="rp1",idp="se-test",outcome="success"} 1`,
		`portvakt_upstream_duration_seconds_count{connector="se-test",operation="finish",result="ok"} 1`,
		`portvakt_step_duration_seconds_count{step="token"} 1`,
		`process_cpu_seconds_total`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestClientStylesheet(t *testing.T) {
	b := newBroker(t)
	resp, err := http.Get(b.URL + "/theme/styled.css")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	css := string(body)
	if resp.Header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(css, "#0b5394") || !strings.Contains(css, ".pv-card { border-radius: 0; }") {
		t.Errorf("stylesheet %q (%s)", css, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Error("the stylesheet is served without the broker's CSP")
	}
}
