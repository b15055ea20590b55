package audit_test

import (
	"encoding/json"
	"testing"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider"
)

// TestSignatureAndEvidenceFetchRecords: a signature's record says it was a
// signature and names its evidence (which outlives the evidence itself), and
// every fetch of the evidence is on record, in the chain.
func TestSignatureAndEvidenceFetchRecords(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if err := f.trail.RecordLogin(ctx, provider.LoginEvent{
		Time: f.clock, ClientID: "bank", AuthRequestID: "login-1", Connector: "se-bankid", LoA: connectors.LoASubstantial, Country: "SE",
		NationalID: person, Subject: "sub-bank", Outcome: provider.OutcomeSuccess, Action: provider.ActionSign, EvidenceID: "sev_abc",
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.trail.RecordEvidenceFetch(ctx, provider.EvidenceFetchEvent{Time: f.clock, ClientID: "bank", EvidenceID: "sev_abc", ClientIP: "192.0.2.9"}); err != nil {
		t.Fatal(err)
	}
	if err := f.trail.RecordVerification(ctx, provider.VerificationEvent{Started: f.clock, Finished: f.clock, ClientID: "bank",
		Outcome: provider.OutcomeSuccess, Sign: true, EvidenceID: "sev_def"}); err != nil {
		t.Fatal(err)
	}
	entries, err := f.trail.List(ctx, audit.Query{ClientID: "bank"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Fatalf("%d records, want 3", len(entries))
	}
	byKind := map[string]audit.Entry{}
	for _, e := range entries {
		byKind[e.Kind] = e
	}
	evidenceOf := func(e audit.Entry) string {
		var d struct {
			EvidenceID string `json:"evidence_id"`
		}
		_ = json.Unmarshal(e.Details, &d)
		return d.EvidenceID
	}
	if e := byKind[audit.KindLogin]; e.Action != provider.ActionSign || evidenceOf(e) != "sev_abc" || e.NationalID == person {
		t.Errorf("signature record %+v", e)
	}
	if e := byKind[audit.KindEvidence]; e.Action != "evidence.fetch" || evidenceOf(e) != "sev_abc" || e.ClientIP != "192.0.2.9" {
		t.Errorf("fetch record %+v", e)
	}
	if e := byKind[audit.KindVerification]; e.Action != "ciba.sign" || evidenceOf(e) != "sev_def" {
		t.Errorf("phone signature record %+v", e)
	}
	if rep := f.verify(t); !rep.OK {
		t.Errorf("chain: %+v", rep)
	}
}
