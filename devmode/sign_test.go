package devmode

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/storage"
)

// TestDevSignByPhone signs through caller verification in dev mode with the
// real simulator: BankID's phone/sign makes a genuine XML signature and OCSP
// response, the token response carries the evidence, and it verifies offline
// against the simulator's signing root and the broker's published evidence
// keys. Only the client that asked may fetch it again; past its retention it
// is purged, and the audit trail keeps that it existed.
func TestDevSignByPhone(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	person := sesim.TestUsers()[1]
	details := `[{"type":"urn:portvakt:sign:v1","text":"I confirm the change of my address.","non_visible_data":"Y2FzZS00NzEx","call_initiator":"rp"}]`

	var ack struct {
		AuthReqID string `json:"auth_req_id"`
		Interval  int    `json:"interval"`
	}
	status, body := postForm(t, d.issuer+"/oauth/bc-authorize", CIBAClientID, CIBAClientSecret, url.Values{
		"scope": {"openid profile"}, "login_hint": {"se-pnr:" + person.PersonalNumber}, "authorization_details": {details},
	})
	if status != http.StatusOK || json.Unmarshal(body, &ack) != nil || ack.AuthReqID == "" {
		t.Fatalf("bc-authorize: %d %s", status, body)
	}
	var tok struct {
		IDToken              string                 `json:"id_token"`
		AuthorizationDetails []evidence.SignDetails `json:"authorization_details"`
		Error                string                 `json:"error"`
	}
	// Poll as a CIBA client must: at the interval, slower after slow_down.
	interval := time.Duration(ack.Interval) * time.Second
	for range 20 {
		time.Sleep(interval)
		_, body = postForm(t, d.issuer+"/oauth/token", CIBAClientID, CIBAClientSecret, url.Values{
			"grant_type": {"urn:openid:params:grant-type:ciba"}, "auth_req_id": {ack.AuthReqID},
		})
		tok.Error = ""
		if err := json.Unmarshal(body, &tok); err != nil {
			t.Fatalf("token: %s", body)
		}
		if tok.Error == "slow_down" {
			interval += 5 * time.Second
		}
		if tok.Error != "authorization_pending" && tok.Error != "slow_down" {
			break
		}
	}
	if tok.Error != "" || len(tok.AuthorizationDetails) != 1 || tok.AuthorizationDetails[0].Evidence == nil {
		t.Fatalf("token response: %s", body)
	}
	ev := tok.AuthorizationDetails[0].Evidence
	if ev.Operation != "rp/v6.0/phone/sign" || ev.Signer.NationalID == nil || ev.Signer.NationalID.Value != person.PersonalNumber {
		t.Errorf("evidence %s by %+v, want a phone signature by the hinted person", ev.Operation, ev.Signer)
	}
	claims := jwtClaims(t, tok.IDToken)
	if claims["sign_evidence_id"] != ev.ID || claims["txn"] == nil || claims["evidence"] != nil {
		t.Errorf("ID token claims %v: want txn and sign_evidence_id, and no evidence itself", claims)
	}

	pkg, err := json.Marshal(tok.AuthorizationDetails[0])
	if err != nil {
		t.Fatal(err)
	}
	report, err := verifyOffline(t, d, pkg)
	if err != nil {
		t.Fatalf("offline verification: %v", err)
	}
	if !strings.Contains(strings.Join(report.Checks, "\n"), "BankID native signature") {
		t.Errorf("checks passed: %v", report.Checks)
	}

	// Only the client that asked fetches it again; to another it does not exist.
	if status, body := getWithAuth(t, d.issuer+"/evidence/"+ev.ID, CIBAClientID, CIBAClientSecret); status != http.StatusOK || !strings.Contains(string(body), ev.Attestation) {
		t.Errorf("fetch by its client: %d %.200s", status, body)
	}
	if status, _ := getWithAuth(t, d.issuer+"/evidence/"+ev.ID, DemoClientID, DemoClientSecret); status != http.StatusNotFound {
		t.Errorf("fetch by another client: %d, want 404", status)
	}

	// Past its retention (the clock moved on: the row says it expired), the
	// purge deletes it and the audit trail records that it existed.
	store := d.env.Broker.Store
	if _, err := store.DB().Exec(`UPDATE evidence SET expires_at = 0 WHERE id = ?`, ev.ID); err != nil {
		t.Fatal(err)
	}
	d.env.Broker.PurgeEvidence(context.Background())
	if status, _ := getWithAuth(t, d.issuer+"/evidence/"+ev.ID, CIBAClientID, CIBAClientSecret); status != http.StatusNotFound {
		t.Errorf("fetch after the purge: %d, want 404", status)
	}
	records, err := store.ListAudit(context.Background(), storage.AuditQuery{ClientID: CIBAClientID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var issued, fetched, purged bool
	for _, r := range records {
		mentions := strings.Contains(string(r.Details), ev.ID)
		switch {
		case mentions && r.Action == "ciba.sign":
			issued = true
		case mentions && r.Action == "evidence.fetch":
			fetched = true
		case mentions && r.Action == "evidence.purge":
			purged = true
		}
	}
	if !issued || !fetched || !purged {
		t.Errorf("audit records of the evidence: issued %v, fetched %v, purged %v", issued, fetched, purged)
	}
}

// verifyOffline checks a package as a relying party would: the broker's
// published evidence keys, the simulated eIDs' trust anchors.
func verifyOffline(t *testing.T, d *devServer, pkg []byte) (*evidence.Report, error) {
	t.Helper()
	_, body := getWithAuth(t, d.issuer+"/evidence/keys", "", "")
	var keys jose.JSONWebKeySet
	if err := json.Unmarshal(body, &keys); err != nil || len(keys.Keys) == 0 {
		t.Fatalf("evidence keys: %s", body)
	}
	trust, err := d.env.Simulators.evidenceTrust()
	if err != nil {
		t.Fatal(err)
	}
	trust.Keys, trust.Issuer = keys, d.issuer
	return evidence.Verify(pkg, trust)
}

func postForm(t *testing.T, u, id, secret string, form url.Values) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	return do(t, req)
}

func getWithAuth(t *testing.T, u, id, secret string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", raw)
	}
	payload, err := base64URL(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestDevSignRefusals: against the real eIDs' limits, a signature no eID the
// request leaves can make is refused to the client before any eID starts,
// with a description of what is wrong.
func TestDevSignRefusals(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	redirect := d.issuer + "/demo/callback"
	cfg := oauth2.Config{ClientID: DemoClientID, ClientSecret: DemoClientSecret, RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{AuthURL: d.issuer + "/authorize", TokenURL: d.issuer + "/oauth/token"}, Scopes: []string{"openid"}}
	entry := func(text, format string) string {
		raw, _ := json.Marshal([]evidence.SignDetails{{Type: evidence.SignType, Text: text, TextFormat: format}})
		return string(raw)
	}
	for _, tc := range []struct {
		name, acr, details, wantDescription string
	}{
		{"an eID that cannot sign", "urn:portvakt:eid:dk:mitid", entry("I agree.", ""), "MitID cannot sign"},
		{"markdown for an eID without it", "urn:portvakt:eid:se:freja", entry("**I agree.**", evidence.FormatMarkdown), "markdown"},
		{"a text longer than BankID shows", "urn:portvakt:eid:se:bankid", entry(strings.Repeat("a", 30001), ""), "long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
				oauth2.SetAuthURLParam("acr_values", tc.acr), oauth2.SetAuthURLParam("authorization_details", tc.details))
			got := redirectsOnly(t, noFollow(t), start, redirect)
			t.Logf("error_description: %s", got.Get("error_description"))
			if got.Get("error") != "invalid_authorization_details" || !strings.Contains(got.Get("error_description"), tc.wantDescription) || got.Get("code") != "" {
				t.Errorf("the client got %v, want invalid_authorization_details saying %q", got, tc.wantDescription)
			}
		})
	}
}
