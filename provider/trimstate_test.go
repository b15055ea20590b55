package provider

import (
	"encoding/json"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

// TestTrimForState: the login state keeps the upstream's proof only for a
// client that asked for it and may have it, and never a signature's
// artefacts (the evidence store keeps those), so a database reader of login
// states finds no BankID signature a client was never to receive, and every
// later step seals and writes kilobytes less.
func TestTrimForState(t *testing.T) {
	proof := json.RawMessage(`{"signature":"PD94bWw+","ocspResponse":"MIIB"}`)
	for _, tc := range []struct {
		name         string
		mayReceive   []string
		scopes       []string
		keepEvidence bool
	}{
		{"asked and allowed", []string{scopeEvidence}, []string{scopeOpenID, scopeEvidence}, true},
		{"allowed, not asked", []string{scopeEvidence}, []string{scopeOpenID}, false},
		{"asked, not allowed", nil, []string{scopeOpenID, scopeEvidence}, false},
		{"neither", nil, []string{scopeOpenID}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := connectors.Identity{NationalID: "198507232398", Evidence: proof, Signature: &connectors.Signature{Native: map[string]string{"bankid_signature": "PD94"}}}
			trimForState(&id, &Client{ClientSettings: ClientSettings{Scopes: tc.mayReceive}}, tc.scopes)
			if got := len(id.Evidence) > 0; got != tc.keepEvidence {
				t.Errorf("evidence kept = %v, want %v", got, tc.keepEvidence)
			}
			if id.Signature != nil {
				t.Error("the signature's artefacts stay in the login state")
			}
			if id.NationalID == "" {
				t.Error("the identity itself was trimmed")
			}
		})
	}
}
