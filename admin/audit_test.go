package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// TestAuditTrailThroughTheAPI: an identification is recorded with its eID,
// level, masked national id, sub, outcome and IP; the chain verifies until a
// stored record is altered, and then the verification names that record.
func TestAuditTrailThroughTheAPI(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	redirect := b.issuer + "/demo/callback"
	const person = "198507232398" // synthetic, valid check digit
	done := follow(t, browser(), authorizeURL(b.issuer, devmode.DemoClientID, redirect, url.Values{
		"acr_values": {"urn:portvakt:eid:se:bankid:other-device"}, "login_hint": {"sub:" + person},
	}), redirect)
	if done.Query.Get("code") == "" {
		t.Fatalf("login ended at %v", done.URL)
	}
	auditor := b.token(t, devmode.AuditorClientID, devmode.AuditorClientSecret)
	var raw struct {
		Records []map[string]any `json:"records"`
	}
	b.mustCall(t, auditor, "GET", "/audit?client_id=demo&national_id="+person, nil, &raw, http.StatusOK)
	if len(raw.Records) != 1 {
		t.Fatalf("the person's records: %+v", raw.Records)
	}
	r := raw.Records[0]
	for key, want := range map[string]any{"kind": "login", "client_id": "demo", "eid": "se-bankid", "loa": "substantial",
		"country": "SE", "national_id": "**********98", "outcome": "success", "client_ip": "127.0.0.1"} {
		if r[key] != want {
			t.Errorf("%s = %v, want %v", key, r[key], want)
		}
	}
	if sub, _ := r["sub"].(string); sub == "" || strings.Contains(sub, person) {
		t.Errorf("sub = %q", sub)
	}

	var rep struct {
		OK     bool `json:"ok"`
		Broken *struct {
			Seq int64  `json:"seq"`
			ID  string `json:"id"`
		} `json:"broken"`
	}
	b.mustCall(t, auditor, "GET", "/audit/verify", nil, &rep, http.StatusOK)
	if !rep.OK {
		t.Fatalf("an untouched trail does not verify: %+v", rep.Broken)
	}
	chain, seq := int64(r["chain"].(float64)), int64(r["seq"].(float64))
	if _, err := b.env.Broker.Store.DB().ExecContext(t.Context(), "UPDATE audit_records SET outcome = 'cancel' WHERE chain = ? AND seq = ?", chain, seq); err != nil {
		t.Fatal(err)
	}
	b.mustCall(t, auditor, "GET", "/audit/verify", nil, &rep, http.StatusOK)
	if rep.OK || rep.Broken == nil || rep.Broken.Seq != seq || rep.Broken.ID != r["id"] {
		t.Fatalf("after altering record %d: %+v", seq, rep.Broken)
	}

	// Paging: next_after is an opaque cursor that resumes after the page. A
	// refused change is a second record.
	b.mustCall(t, auditor, "DELETE", "/clients/demo", nil, nil, http.StatusForbidden)
	var page struct {
		Records   []map[string]any `json:"records"`
		NextAfter string           `json:"next_after"`
	}
	b.mustCall(t, auditor, "GET", "/audit?limit=1", nil, &page, http.StatusOK)
	if len(page.Records) != 1 || page.NextAfter == "" {
		t.Fatalf("first page: %+v", page)
	}
	first := page.Records[0]["id"]
	b.mustCall(t, auditor, "GET", "/audit?limit=1&after="+url.QueryEscape(page.NextAfter), nil, &page, http.StatusOK)
	if len(page.Records) != 1 || page.Records[0]["id"] == first {
		t.Errorf("second page after %v: %+v", first, page.Records)
	}
	b.mustCall(t, auditor, "GET", "/audit?after=12", nil, nil, http.StatusBadRequest)

	req, err := http.NewRequest("GET", b.issuer+"/admin/api/v1/audit/export", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+auditor)
	got, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	if got.StatusCode != http.StatusOK || got.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("export: %d %s", got.StatusCode, got.Header.Get("Content-Type"))
	}
}
