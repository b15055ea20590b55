package provider_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/evidence"
)

// signOnce runs a whole browser signature for the client signer and returns
// its evidence id.
func (b *signBroker) signOnce(t *testing.T) string {
	t.Helper()
	c := browser(t)
	at := b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}})
	_, back := b.choose(t, c, at, "se-signer/other-device")
	tok := b.redeemSign(t, "signer", signerSecret, back, at.verifier)
	return tok.AuthorizationDetails[0].Evidence.ID
}

func TestEvidenceFetch(t *testing.T) {
	b := newSignBroker(t)
	id := b.signOnce(t)
	fetch := func(method, id, client, secret string) (int, http.Header, []byte) {
		t.Helper()
		var req *http.Request
		if method == http.MethodPost {
			req, _ = http.NewRequest(method, b.URL+"/evidence/"+id, strings.NewReader(url.Values{"client_id": {client}, "client_secret": {secret}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			req, _ = http.NewRequest(method, b.URL+"/evidence/"+id, nil)
			if client != "" {
				req.SetBasicAuth(client, secret)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, body
	}

	t.Run("the client that asked gets it, on record", func(t *testing.T) {
		before := len(b.audit.evidenceFetches())
		status, h, body := fetch(http.MethodGet, id, "signer", signerSecret)
		var d evidence.SignDetails
		if status != http.StatusOK || json.Unmarshal(body, &d) != nil || d.Evidence == nil || d.Evidence.ID != id {
			t.Fatalf("%d %s", status, body)
		}
		if h.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", h.Get("Cache-Control"))
		}
		fetches := b.audit.evidenceFetches()
		if len(fetches) != before+1 || fetches[len(fetches)-1].EvidenceID != id || fetches[len(fetches)-1].ClientID != "signer" {
			t.Errorf("audit %+v", fetches)
		}
	})
	t.Run("POST with form client authentication", func(t *testing.T) {
		// signer is registered for client_secret_basic: the form's secret is
		// the wrong method and refused, as at the token endpoint.
		if status, _, body := fetch(http.MethodPost, id, "signer", signerSecret); status != http.StatusUnauthorized {
			t.Errorf("%d %s", status, body)
		}
		// signer-post authenticates by form; the evidence is not its own.
		if status, _, body := fetch(http.MethodPost, id, "signer-post", signerSecret); status != http.StatusNotFound {
			t.Errorf("signer-post: %d %s", status, body)
		}
	})
	for _, tt := range []struct {
		name, id, client, secret string
		want                     int
	}{
		// Another client, even an authenticated one, cannot read a person's
		// signature made for someone else, nor learn that it exists.
		{"another client", id, "rp1", "rp1-secret-0123456789", http.StatusNotFound},
		{"no client authentication", id, "", "", http.StatusUnauthorized},
		// A guessed or stolen id without the client's secret is worth nothing.
		{"wrong secret", id, "signer", "wrong-secret-0123456789", http.StatusUnauthorized},
		{"public client by id alone", id, "public", "", http.StatusUnauthorized},
		{"unknown id", "sev_unknown", "signer", signerSecret, http.StatusNotFound},
		{"not an evidence id", "keys2", "signer", signerSecret, http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := fetch(http.MethodGet, tt.id, tt.client, tt.secret)
			if status != tt.want {
				t.Fatalf("%d %s, want %d", status, body, tt.want)
			}
			if strings.Contains(string(body), "attestation") {
				t.Error("evidence in a refusal")
			}
			if tt.want == http.StatusNotFound && !strings.Contains(string(body), `"not_found"`) {
				t.Errorf("body %s", body)
			}
		})
	}
	t.Run("a fetch that cannot be audited is not answered", func(t *testing.T) {
		b.audit.refuseRecords(errSignTest)
		defer b.audit.refuseRecords(nil)
		if status, _, body := fetch(http.MethodGet, id, "signer", signerSecret); status != http.StatusServiceUnavailable || strings.Contains(string(body), "attestation") {
			t.Errorf("%d %s", status, body)
		}
	})
	t.Run("keys", func(t *testing.T) {
		resp := getWithBasic(t, b.URL+"/evidence/keys", "", "")
		defer resp.Body.Close()
		var set jose.JSONWebKeySet
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || resp.StatusCode != http.StatusOK || len(set.Keys) != 1 || set.Keys[0].KeyID != "ev-1" || !set.Keys[0].IsPublic() {
			t.Errorf("%d %+v %v", resp.StatusCode, set, err)
		}
	})
}

func TestSignDiscovery(t *testing.T) {
	read := func(t *testing.T, base string) map[string]any {
		resp := getWithBasic(t, base+"/.well-known/openid-configuration", "", "")
		defer resp.Body.Close()
		var d map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	b := newSignBroker(t)
	d := read(t, b.URL)
	if types, _ := d["authorization_details_types_supported"].([]any); len(types) != 1 || types[0] != evidence.SignType {
		t.Errorf("authorization_details_types_supported %v", d["authorization_details_types_supported"])
	}
	if claims, _ := d["claims_supported"].([]any); !containsAll(claims, "txn", "sign_evidence_id") {
		t.Errorf("claims_supported %v", claims)
	}
	if d["sign_evidence_jwks_uri"] != b.URL+"/evidence/keys" {
		t.Errorf("sign_evidence_jwks_uri %v", d["sign_evidence_jwks_uri"])
	}
	// Without evidence, no signature is offered.
	plain := newBroker(t)
	d = read(t, plain.URL)
	if _, ok := d["authorization_details_types_supported"]; ok {
		t.Error("a broker without evidence lists signing")
	}
	if _, ok := d["sign_evidence_jwks_uri"]; ok {
		t.Error("a broker without evidence lists evidence keys")
	}
}

func containsAll(list []any, want ...string) bool {
	for _, w := range want {
		found := false
		for _, v := range list {
			found = found || v == w
		}
		if !found {
			return false
		}
	}
	return true
}
