package config

import (
	"strings"
	"testing"
)

// TestAuthorizationDetailsTypes: the file's key reaches the client, and a type
// the broker does not know is refused rather than silently granted nothing.
func TestAuthorizationDetailsTypes(t *testing.T) {
	cfg, err := Parse([]byte("issuer: https://id.example\nmaster_key: k\nstorage: {driver: sqlite, dsn: x.db}\nclients: [{id: bank, secret: bank-secret-0123456789, redirect_uris: [https://bank.example/cb], authorization_details_types: [urn:portvakt:sign:v1]}]\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Clients[0].AuthorizationDetailsTypes; len(got) != 1 || got[0] != "urn:portvakt:sign:v1" {
		t.Errorf("authorization_details_types %v", got)
	}
	cl := fapiClient()
	cl.AuthorizationDetailsTypes = []string{"payment_initiation"}
	cl.ApplyDefaults()
	if got := strings.Join(cl.Validate([]string{"RS256", "PS256"}, nil), "\n"); !strings.Contains(got, `authorization_details_types: "payment_initiation" is not one of`) {
		t.Errorf("problems %q", got)
	}
}
