package provider_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
)

// TestSignPushedAndSigned: a signature request arrives pushed (PAR) or as a
// signed request object, as a plain one does.
func TestSignPushedAndSigned(t *testing.T) {
	jc := newJARClient(t, "jar-signer")
	jarClient := jc.config(t)
	jarClient.AuthorizationDetailsTypes = []string{evidence.SignType}
	b := newSignBroker(t, func(cfg *config.Config, _ *[]connectors.Connector) { cfg.Clients = append(cfg.Clients, jarClient) })
	signParams := func(client string) url.Values {
		p := authzParams(client)
		p.Del("acr_values")
		p.Set("authorization_details", loanDetails())
		return p
	}
	preview := func(t *testing.T, q url.Values) {
		t.Helper()
		status, loc := b.authorizeStatus(t, q)
		if status != http.StatusOK {
			t.Fatalf("authorize: %d %v, want the preview", status, loc)
		}
	}

	t.Run("PAR", func(t *testing.T) {
		status, answer, _ := b.push(t, signParams("signer"), "signer", signerSecret)
		if status != http.StatusCreated {
			t.Fatalf("PAR: %d %v", status, answer)
		}
		c := browser(t)
		resp, err := c.Get(b.URL + "/authorize?" + url.Values{"client_id": {"signer"}, "request_uri": {answer["request_uri"].(string)}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/login/") {
			t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Request.URL)
		}
	})
	t.Run("PAR refuses what /authorize would", func(t *testing.T) {
		for name, tc := range map[string]struct {
			client, secret, details, want string
		}{
			"client without permission": {"rp1", "rp1-secret-0123456789", loanDetails(), "may not request"},
			"unknown field":             {"signer", signerSecret, `[{"type":"urn:portvakt:sign:v1","text":"x","y":1}]`, "unknown field"},
			"no eID can sign it":        {"signer", signerSecret, `[{"type":"urn:portvakt:sign:v1","text":"` + strings.Repeat("x", 30001) + `"}]`, "too long"},
		} {
			t.Run(name, func(t *testing.T) {
				p := signParams(tc.client)
				p.Set("authorization_details", tc.details)
				status, answer, _ := b.push(t, p, tc.client, tc.secret)
				if status != http.StatusBadRequest || answer["error"] != "invalid_authorization_details" ||
					!strings.Contains(answer["error_description"].(string), tc.want) {
					t.Errorf("PAR: %d %v", status, answer)
				}
			})
		}
	})
	t.Run("request object", func(t *testing.T) {
		p := signParams(jc.id)
		p.Del("authorization_details")
		var entries []any
		if err := json.Unmarshal([]byte(loanDetails()), &entries); err != nil {
			t.Fatal(err)
		}
		// RFC 9396 §3: in a request object the entries are JSON, not a string.
		ro := jc.requestObject(t, b.broker, p, func(claims map[string]any) { claims["authorization_details"] = entries })
		preview(t, url.Values{"client_id": {jc.id}, "request": {ro}})
	})
	t.Run("pushed request object", func(t *testing.T) {
		p := signParams(jc.id)
		p.Del("authorization_details")
		var entries []any
		_ = json.Unmarshal([]byte(loanDetails()), &entries)
		ro := jc.requestObject(t, b.broker, p, func(claims map[string]any) { claims["authorization_details"] = entries })
		status, answer, _ := b.push(t, merge(jc.assertion(t, b.broker, nil), url.Values{"client_id": {jc.id}, "request": {ro}}), "", "")
		if status != http.StatusCreated {
			t.Fatalf("PAR: %d %v", status, answer)
		}
		preview(t, url.Values{"client_id": {jc.id}, "request_uri": {answer["request_uri"].(string)}})
	})
}
