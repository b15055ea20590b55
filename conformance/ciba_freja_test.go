package conformance_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/portvakt/portvakt/connectors/freja"
	frejasim "github.com/portvakt/portvakt/connectors/freja/sim"
)

// TestCIBAThroughFreja: Freja eID verifies a caller on the same backchannel
// capability as BankID, chosen by acr_values; the person in the ID token is
// the one Freja pushed the request to, with the country of their number. A
// binding message Freja cannot show is refused rather than silently dropped.
func TestCIBAThroughFreja(t *testing.T) {
	t.Parallel()
	d := dev(t)
	c := demoCIBA(d)
	var caller frejasim.TestUser
	for _, u := range frejasim.TestUsers() {
		if u.Country == "NO" && u.Level == freja.LevelExtended {
			caller = u
		}
	}
	if caller.SSN == "" {
		t.Fatal("no Norwegian Freja test person")
	}
	refused := c.start(t, url.Values{"login_hint": {"no-nnin:" + caller.SSN}, "acr_values": {"urn:portvakt:eid:no:freja"},
		"binding_message": {"Ärende 4711"}})
	if refused.Status != http.StatusBadRequest || refused.str("error") != "invalid_request" {
		t.Fatalf("a binding message through Freja: %d %v, want invalid_request", refused.Status, refused.Body)
	}
	ack := c.start(t, url.Values{"login_hint": {"no-nnin:" + caller.SSN}, "acr_values": {"urn:portvakt:eid:no:freja"},
		"reason": {"Address change"}})
	if ack.Status != http.StatusOK {
		t.Fatalf("acknowledgement %d %v", ack.Status, ack.Body)
	}
	tok := c.await(t, ack)
	if tok.Status != http.StatusOK {
		t.Fatalf("token %d %v", tok.Status, tok.Body)
	}
	p, err := oidc.NewProvider(context.Background(), d.issuer)
	if err != nil {
		t.Fatal(err)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: c.id}).Verify(context.Background(), tok.str("id_token"))
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if claims["national_id"] != caller.SSN || claims["country"] != "NO" || claims["idp"] != "freja" {
		t.Errorf("ID token claims %v", claims)
	}
	findVerification(t, d, c.id, caller.SSN, "success")
}
