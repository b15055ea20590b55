package conformance_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/portvakt/portvakt/config"
	bankidsim "github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/testid"
	"github.com/portvakt/portvakt/storage"
)

// cibaClient is a Go client of the backchannel endpoint and the CIBA grant,
// as a relying party writes one: HTTP Basic, poll at the interval.
type cibaClient struct {
	issuer, id, secret string
}

type cibaAnswer struct {
	Status int
	Body   map[string]any
}

func (a cibaAnswer) str(k string) string { s, _ := a.Body[k].(string); return s }

func (c cibaClient) post(t *testing.T, path string, form url.Values) cibaAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.issuer+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(c.id), url.QueryEscape(c.secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := cibaAnswer{Status: resp.StatusCode}
	if err := json.Unmarshal(body, &a.Body); err != nil {
		t.Fatalf("%s answered %d %q", path, resp.StatusCode, body)
	}
	return a
}

func (c cibaClient) start(t *testing.T, form url.Values) cibaAnswer {
	t.Helper()
	if !form.Has("scope") {
		form.Set("scope", "openid profile national_id")
	}
	return c.post(t, "/oauth/bc-authorize", form)
}

func (c cibaClient) poll(t *testing.T, authReqID string) cibaAnswer {
	t.Helper()
	return c.post(t, "/oauth/token", url.Values{"grant_type": {config.GrantTypeCIBA}, "auth_req_id": {authReqID}})
}

// await polls at the interval (raised by slow_down) until the answer is not
// authorization_pending.
func (c cibaClient) await(t *testing.T, ack cibaAnswer) cibaAnswer {
	t.Helper()
	interval := time.Duration(ack.Body["interval"].(float64)) * time.Second
	for range 20 {
		time.Sleep(interval)
		a := c.poll(t, ack.str("auth_req_id"))
		switch a.str("error") {
		case "authorization_pending":
			continue
		case "slow_down":
			interval += 5 * time.Second
			continue
		}
		return a
	}
	t.Fatal("the verification never ended")
	return cibaAnswer{}
}

var cibaCaller struct {
	mu     sync.Mutex
	serial int
}

// newCaller is a Swedish test person no other test verifies.
func newCaller() string {
	cibaCaller.mu.Lock()
	defer cibaCaller.mu.Unlock()
	cibaCaller.serial++
	return testid.Personnummer(time.Date(1981, 3, 14, 0, 0, 0, 0, time.UTC), 100+cibaCaller.serial)
}

func bankID(t *testing.T, d *devEnv) *bankidsim.Simulator {
	t.Helper()
	return d.env.Simulators.Simulator("se-bankid").(*bankidsim.Dev).Sim
}

func demoCIBA(d *devEnv) cibaClient {
	return cibaClient{issuer: d.issuer, id: devmode.CIBAClientID, secret: devmode.CIBAClientSecret}
}

// auditOf is the verification records of a client.
func auditOf(t *testing.T, d *devEnv, clientID string) []storage.AuditRecord {
	t.Helper()
	recs, err := d.env.Broker.Store.ListAudit(context.Background(), storage.AuditQuery{ClientID: clientID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []storage.AuditRecord
	for _, r := range recs {
		if r.Kind == "verification" {
			out = append(out, r)
		}
	}
	return out
}

// findVerification waits for the record of a verification of the caller to be
// written (the trail writes in batches).
func findVerification(t *testing.T, d *devEnv, clientID, nationalID, outcome string) storage.AuditRecord {
	t.Helper()
	person := d.env.Broker.Admin.Audit.PersonKeyOf(nationalID)
	for range 50 {
		for _, r := range auditOf(t, d, clientID) {
			if r.PersonKey == person && r.Outcome == outcome {
				return r
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no %s verification record of %s for %s", outcome, nationalid.Mask(nationalID), clientID)
	return storage.AuditRecord{}
}

// TestCIBAApprovedPoll: the caller approves; the client polls, gets an ID
// token with the person's claims and its auth_req_id once, and a second
// redemption is invalid_grant. The record names client, agent, reason and
// binding message.
func TestCIBAApprovedPoll(t *testing.T) {
	t.Parallel()
	d := dev(t)
	c := demoCIBA(d)
	pnr := newCaller()
	ack := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}, "binding_message": {"Ärende 4711"},
		"call_initiator": {"rp"}, "reason": {"Loan application"}, "agent": {"agent-17"}})
	if ack.Status != http.StatusOK || len(ack.str("auth_req_id")) < 43 || ack.Body["expires_in"].(float64) <= 0 || ack.Body["interval"].(float64) != 5 {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	tok := c.await(t, ack)
	if tok.Status != http.StatusOK || tok.str("id_token") == "" || tok.str("access_token") == "" {
		t.Fatalf("token %d %v", tok.Status, tok.Body)
	}
	provider, err := oidc.NewProvider(context.Background(), d.issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: c.id}).Verify(context.Background(), tok.str("id_token"))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims["national_id"] != pnr || claims["country"] != "SE" || claims["idp"] != "se-bankid" ||
		claims["urn:openid:params:jwt:claim:auth_req_id"] != ack.str("auth_req_id") || claims["acr"] == nil || claims["name"] == nil {
		t.Errorf("ID token claims %v", claims)
	}
	if again := c.poll(t, ack.str("auth_req_id")); again.Status != http.StatusBadRequest || again.str("error") != "invalid_grant" {
		t.Errorf("second redemption: %d %v, want invalid_grant", again.Status, again.Body)
	}
	rec := findVerification(t, d, c.id, pnr, "success")
	var details map[string]string
	_ = json.Unmarshal(rec.Details, &details)
	if rec.Actor != "agent:agent-17" || details["reason"] != "Loan application" || details["binding_message"] != "Ärende 4711" ||
		details["call_initiator"] != "rp" || rec.Subject == "" || len(rec.NationalIDSealed) == 0 {
		t.Errorf("record %+v details %v", rec, details)
	}
	phone := bankID(t, d).RequestsTo("phone/auth")
	found := false
	for _, r := range phone {
		if strings.Contains(string(r.Body), pnr) {
			found = strings.Contains(string(r.Body), `"callInitiator":"RP"`)
		}
	}
	if !found {
		t.Errorf("BankID got no phone/auth with callInitiator RP for the caller")
	}
}

// TestCIBADeclined: the caller declines in the app: access_denied, recorded.
func TestCIBADeclined(t *testing.T) {
	t.Parallel()
	d := dev(t)
	c := demoCIBA(d)
	pnr := newCaller()
	bankIDScriptDecline(t, d, pnr)
	ack := c.start(t, url.Values{"login_hint": {"sub:" + pnr}})
	if ack.Status != http.StatusOK {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	if got := c.await(t, ack); got.Status != http.StatusBadRequest || got.str("error") != "access_denied" {
		t.Fatalf("declined: %d %v, want access_denied", got.Status, got.Body)
	}
	findVerification(t, d, c.id, pnr, "declined")
}

// TestCIBAExpiryAndSlowDown: polling faster than the interval is slow_down;
// a verification the caller never answers is expired_token at its
// requested_expiry; a second verification of the same caller meanwhile is
// refused, not the first one cancelled.
func TestCIBAExpiryAndSlowDown(t *testing.T) {
	t.Parallel()
	d := dev(t)
	c := demoCIBA(d)
	pnr := newCaller()
	bankIDScriptWaiting(t, d, pnr)
	ack := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}, "requested_expiry": {"6"}})
	if ack.Status != http.StatusOK || ack.Body["expires_in"].(float64) != 6 {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	id := ack.str("auth_req_id")
	if first := c.poll(t, id); first.str("error") != "authorization_pending" {
		t.Fatalf("first poll %v", first.Body)
	}
	if second := c.poll(t, id); second.str("error") != "slow_down" {
		t.Fatalf("immediate second poll %v, want slow_down", second.Body)
	}
	if dup := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}}); dup.Status != http.StatusForbidden || dup.str("error") != "access_denied" {
		t.Errorf("second open verification of one caller: %d %v, want 403 access_denied", dup.Status, dup.Body)
	}
	time.Sleep(7 * time.Second)
	if got := c.poll(t, id); got.str("error") != "expired_token" {
		t.Fatalf("after expiry %v, want expired_token", got.Body)
	}
	findVerification(t, d, c.id, pnr, "expired")
}

// TestCIBARefused: what the endpoint refuses, each with its error and
// status, and on record.
func TestCIBARefused(t *testing.T) {
	t.Parallel()
	d := dev(t)
	ctx := context.Background()
	seOnly := cibaClient{issuer: d.issuer, id: "ciba-se-only", secret: "ciba-se-only-secret-0123456789"}
	if err := registerClient(ctx, d.env.Broker.Store, config.Client{ID: seOnly.id, Secret: seOnly.secret,
		GrantTypes: []string{config.GrantTypeCIBA}, Countries: []string{"SE"}, CIBA: config.CIBA{RequireReason: true}}); err != nil {
		t.Fatal(err)
	}
	mitidOnly := cibaClient{issuer: d.issuer, id: "ciba-mitid-only", secret: "ciba-mitid-only-secret-012345678"}
	if err := registerClient(ctx, d.env.Broker.Store, config.Client{ID: mitidOnly.id, Secret: mitidOnly.secret,
		GrantTypes: []string{config.GrantTypeCIBA}, EIDs: []string{"dk-mitid"}}); err != nil {
		t.Fatal(err)
	}
	if err := d.env.Broker.Provider.RefreshClients(ctx); err != nil {
		t.Fatal(err)
	}
	demo := cibaClient{issuer: d.issuer, id: devmode.DemoClientID, secret: devmode.DemoClientSecret}
	nnin := testid.Fodselsnummer(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 123)
	for _, tc := range []struct {
		name   string
		client cibaClient
		form   url.Values
		status int
		err    string
	}{
		{"malformed personnummer", demoCIBA(d), url.Values{"login_hint": {"se-pnr:198103140001"}}, 400, "invalid_request"},
		{"unknown scheme", demoCIBA(d), url.Values{"login_hint": {"email:someone@example.com"}}, 400, "invalid_request"},
		{"no hint", demoCIBA(d), url.Values{}, 400, "invalid_request"},
		{"two hints", demoCIBA(d), url.Values{"login_hint": {"sub:" + newCaller()}, "login_hint_token": {"x"}}, 400, "invalid_request"},
		{"login_hint_token", demoCIBA(d), url.Values{"login_hint_token": {"x"}}, 400, "invalid_request"},
		{"no openid scope", demoCIBA(d), url.Values{"login_hint": {"sub:" + newCaller()}, "scope": {"profile"}}, 400, "invalid_scope"},
		{"long binding message", demoCIBA(d), url.Values{"login_hint": {"sub:" + newCaller()}, "binding_message": {strings.Repeat("x", 41)}}, 400, "invalid_binding_message"},
		{"console agent prefix", demoCIBA(d), url.Values{"login_hint": {"sub:" + newCaller()}, "agent": {"portvakt:abc"}}, 400, "invalid_request"},
		{"client without the grant", demo, url.Values{"login_hint": {"sub:" + newCaller()}}, 400, "unauthorized_client"},
		{"wrong secret", cibaClient{issuer: d.issuer, id: devmode.CIBAClientID, secret: "wrong"}, url.Values{"login_hint": {"sub:" + newCaller()}}, 401, "invalid_client"},
		{"reason required", seOnly, url.Values{"login_hint": {"se-pnr:" + newCaller()}}, 400, "invalid_request"},
		{"country not allowed", seOnly, url.Values{"login_hint": {"no-nnin:" + nnin}, "reason": {"Claim"}}, 403, "access_denied"},
		{"no eID the client may use verifies callers of the country", mitidOnly, url.Values{"login_hint": {"dk-cpr:" + testid.CPR(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 123)}}, 400, "invalid_request"},
		{"a person the eID does not know", demoCIBA(d), url.Values{"login_hint": {"no-nnin:" + nnin}, "acr_values": {"urn:portvakt:eid:no:freja"}}, 400, "unknown_user_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.client.start(t, tc.form)
			if got.Status != tc.status || got.str("error") != tc.err || got.str("error_description") == "" {
				t.Errorf("%d %v, want %d %s with a description", got.Status, got.Body, tc.status, tc.err)
			}
		})
	}
	if rec := findVerification(t, d, seOnly.id, nnin, "refused"); rec.Error != "access_denied" || rec.Country != "NO" {
		t.Errorf("refusal record %+v", rec)
	}
}

// TestCIBAPing: a ping-mode client is told at its notification endpoint,
// with its bearer and nothing but the auth_req_id, then redeems.
func TestCIBAPing(t *testing.T) {
	t.Parallel()
	d := dev(t)
	ctx := context.Background()
	type ping struct {
		auth, contentType string
		body              map[string]any
	}
	got := make(chan ping, 4)
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p ping
		p.auth, p.contentType = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		_ = json.NewDecoder(r.Body).Decode(&p.body)
		got <- p
		w.WriteHeader(http.StatusNoContent)
	}))
	defer endpoint.Close()
	c := cibaClient{issuer: d.issuer, id: "ciba-ping", secret: "ciba-ping-secret-0123456789"}
	if err := registerClient(ctx, d.env.Broker.Store, config.Client{ID: c.id, Secret: c.secret,
		GrantTypes: []string{config.GrantTypeCIBA}, BackchannelDeliveryMode: "ping",
		BackchannelNotificationEndpoint: endpoint.URL + "/cb"}); err != nil {
		t.Fatal(err)
	}
	if err := d.env.Broker.Provider.RefreshClients(ctx); err != nil {
		t.Fatal(err)
	}
	pnr := newCaller()
	if missing := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}}); missing.str("error") != "invalid_request" {
		t.Fatalf("ping without client_notification_token: %v", missing.Body)
	}
	token := "bearer-" + strings.Repeat("k", 32)
	ack := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}, "client_notification_token": {token}})
	if ack.Status != http.StatusOK {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	var p ping
	select {
	case p = <-got:
	case <-time.After(20 * time.Second):
		t.Fatal("no ping")
	}
	if p.auth != "Bearer "+token || p.contentType != "application/json" || len(p.body) != 1 || p.body["auth_req_id"] != ack.str("auth_req_id") {
		t.Errorf("ping %+v", p)
	}
	if tok := c.poll(t, ack.str("auth_req_id")); tok.Status != http.StatusOK || tok.str("id_token") == "" {
		t.Errorf("token after ping: %d %v", tok.Status, tok.Body)
	}
}

// bankIDScriptDecline makes the caller decline the next phone order.
func bankIDScriptDecline(t *testing.T, d *devEnv, pnr string) {
	t.Helper()
	bankID(t, d).Script(pnr, bankidsim.Pending("outstandingTransaction"), bankidsim.Failed("userDeclinedCall"))
}

// bankIDScriptWaiting keeps the caller's next phone order waiting at every
// collect for a minute (auto-approve would answer after the script).
func bankIDScriptWaiting(t *testing.T, d *devEnv, pnr string) {
	t.Helper()
	waiting := make([]bankidsim.Step, 30)
	for i := range waiting {
		waiting[i] = bankidsim.Pending("outstandingTransaction")
	}
	bankID(t, d).Script(pnr, waiting...)
}

// TestCIBAAgentConsoleClientAndIDTokenHint: the broker's own agent console
// client (its secret generated by the broker) verifies a caller as one of its
// agents, portvakt:<person key>; the ID token it gets then names the same
// caller again as id_token_hint.
func TestCIBAAgentConsoleClientAndIDTokenHint(t *testing.T) {
	t.Parallel()
	d := dev(t)
	id, secret := d.env.Broker.AgentConsoleClient()
	if id != "portvakt-agent-console" || len(secret) < 32 {
		t.Fatalf("agent console client %q with a secret of %d characters", id, len(secret))
	}
	c := cibaClient{issuer: d.issuer, id: id, secret: secret}
	pnr := newCaller()
	if got := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}, "agent": {"portvakt:person-1"}}); got.str("error") != "invalid_request" {
		t.Errorf("the console without a reason: %v, want invalid_request (it requires one)", got.Body)
	}
	ack := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}, "agent": {"portvakt:person-1"}, "reason": {"Caller asked about a claim"}})
	tok := c.await(t, ack)
	if tok.Status != http.StatusOK {
		t.Fatalf("token %d %v", tok.Status, tok.Body)
	}
	if rec := findVerification(t, d, id, pnr, "success"); rec.Actor != "agent:portvakt:person-1" {
		t.Errorf("record actor %q", rec.Actor)
	}
	again := c.start(t, url.Values{"id_token_hint": {tok.str("id_token")}, "reason": {"Second call"}})
	if again.Status != http.StatusOK {
		t.Fatalf("id_token_hint: %d %v", again.Status, again.Body)
	}
	if got := c.await(t, again); got.Status != http.StatusOK {
		t.Fatalf("verification by id_token_hint: %d %v", got.Status, got.Body)
	}
	if other := demoCIBA(d).start(t, url.Values{"id_token_hint": {tok.str("id_token")}}); other.str("error") != "invalid_request" {
		t.Errorf("another client's id_token_hint: %v, want invalid_request", other.Body)
	}
}

// TestCIBAAutomatedApproval: dev mode's automated approval URL, as the OpenID
// conformance suite calls it, answers a waiting verification's eID order as
// the caller: allow gives tokens, deny access_denied; an unknown id is 404.
func TestCIBAAutomatedApproval(t *testing.T) {
	t.Parallel()
	d := dev(t)
	c := demoCIBA(d)
	act := func(authReqID, action string) int {
		t.Helper()
		resp, err := http.Post(d.issuer+"/sim/ciba/act?"+url.Values{"token": {authReqID}, "type": {action}}.Encode(), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct{ action, want string }{{"allow", ""}, {"deny", "access_denied"}} {
		pnr := newCaller()
		bankIDScriptWaiting(t, d, pnr)
		ack := c.start(t, url.Values{"login_hint": {"se-pnr:" + pnr}})
		if status := act(ack.str("auth_req_id"), tc.action); status != http.StatusNoContent {
			t.Fatalf("%s: status %d", tc.action, status)
		}
		if got := c.await(t, ack); got.str("error") != tc.want {
			t.Errorf("%s: %d %v, want error %q", tc.action, got.Status, got.Body, tc.want)
		}
	}
	if status := act(randomString(), "allow"); status != http.StatusNotFound {
		t.Errorf("unknown auth_req_id: status %d, want 404", status)
	}
}
