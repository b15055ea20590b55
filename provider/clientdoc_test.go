package provider_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/wiretest"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// fullConfigClient sets every field the stored document keeps (all but the
// secret in clear, which is never stored).
func fullConfigClient() config.Client {
	return config.Client{ID: "rp", Name: "RP", Purpose: "To know who you are",
		SecretHash: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", AuthMethod: "client_secret_basic",
		AuthMethods: []string{"client_secret_basic", "client_secret_post"}, JWKS: map[string]any{"keys": []any{}},
		JWKSURL: "https://rp.example/jwks", GrantTypes: []string{"authorization_code", "client_credentials"},
		BackchannelDeliveryMode: "ping", BackchannelNotificationEndpoint: "https://rp.example/ciba", CIBA: config.CIBA{RequireReason: true},
		Roles: []string{"auditor"}, ResourceServer: &config.ResourceServer{Audiences: []string{"other-rp"}},
		ClientURI: "https://rp.example/", RedirectURIs: []string{"https://rp.example/cb"},
		PostLogoutRedirectURIs: []string{"https://rp.example/bye"}, Countries: []string{"SE"}, EIDs: []string{"no-bankid"},
		MinLoA: connectors.LoASubstantial, Scopes: []string{"national_id"}, SubjectType: "public", Sector: "group",
		IDTokenAlg: "ES256", AccessTokenFormat: "jwt", Consent: true, LoginHintPush: true, LoginHintEmail: true,
		AuthorizationDetailsTypes: []string{"urn:portvakt:sign:v1"}, DPoPBoundAccessTokens: true,
		IDTokenEncryptionAlg: "RSA-OAEP-256", IDTokenEncryptionEnc: "A256GCM",
		UserinfoEncryptionAlg: "ECDH-ES+A256KW", UserinfoEncryptionEnc: "A128CBC-HS256",
		Profile: "fapi2", RequirePushedAuthorizationRequests: true, RequireSignedRequestObject: true, RequestObjectSigningAlg: "PS256",
		Theme: config.Theme{DisplayName: "The RP", LogoURL: "https://rp.example/logo.png", SupportURL: "https://rp.example/help",
			PrimaryColor: "#112233", PrimaryText: "#ffffff", Background: "#eeeeee", CustomCSS: "body{}"},
		IDTokenLifetime: config.Duration(time.Hour), AccessTokenLifetime: config.Duration(10 * time.Minute), Disabled: true}
}

// TestClientSettingsMapToTheStoredDocument: every setting of the file's client
// lands in the stored document under its pinned name (storage's golden file)
// and comes back unchanged, so a field added to config.Client and not mapped
// fails here.
func TestClientSettingsMapToTheStoredDocument(t *testing.T) {
	cl := fullConfigClient()
	if unset := wiretest.Unset(cl, "Secret"); len(unset) > 0 {
		t.Errorf("the fixture leaves config.Client's %v unset", unset)
	}
	doc, err := provider.EncodeClient(cl)
	if err != nil {
		t.Fatal(err)
	}
	if want := wiretest.Golden(t, "../storage/testdata/client_document.json"); !bytes.Equal(doc, want) {
		t.Errorf("stored document\n got %s\nwant %s", doc, want)
	}
	back, err := provider.DecodeClient(storage.Client{ID: cl.ID, Settings: doc})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, cl) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, cl)
	}
	withSecret := cl
	withSecret.Secret = "in-clear-0123456789"
	if doc2, _ := provider.EncodeClient(withSecret); bytes.Contains(doc2, []byte(withSecret.Secret)) {
		t.Errorf("the secret in clear is stored: %s", doc2)
	}
}

// TestConfigClientFromBeforeDocumentFormatsIsKept: a config client stored
// before documents had a format loads and is not rewritten at start-up when
// the file did not change it.
func TestConfigClientFromBeforeDocumentFormatsIsKept(t *testing.T) {
	ctx := t.Context()
	store := migratedSQLite(t)
	// As the broker stored it before: no format, the secret as its hash.
	old := `{"id":"rp","name":"RP","secret_hash":"` + provider.HashSecret("rp-secret-0123456789") + `",` +
		`"token_endpoint_auth_method":"client_secret_basic","grant_types":["authorization_code"],` +
		`"redirect_uris":["https://rp.example/cb"],"min_loa":"high","subject_type":"pairwise",` +
		`"id_token_signed_response_alg":"RS256","access_token_format":"opaque","theme":{"display_name":"The RP"},` +
		`"id_token_lifetime":"30m0s"}`
	created := time.Now().Add(-time.Hour)
	if err := store.CreateClient(ctx, storage.Client{ID: "rp", Source: "config", Settings: json.RawMessage(old), CreatedAt: created, UpdatedAt: created}); err != nil {
		t.Fatal(err)
	}
	before, err := store.GetClient(ctx, "rp")
	if err != nil {
		t.Fatal(err)
	}
	file := []config.Client{{ID: "rp", Name: "RP", Secret: "rp-secret-0123456789", RedirectURIs: []string{"https://rp.example/cb"},
		MinLoA: connectors.LoAHigh, Theme: config.Theme{DisplayName: "The RP"}, IDTokenLifetime: config.Duration(30 * time.Minute)}}
	if err := provider.SyncConfigClients(ctx, store, file, time.Now()); err != nil {
		t.Fatal(err)
	}
	after, err := store.GetClient(ctx, "rp")
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != before.Version {
		t.Errorf("unchanged client rewritten: version %d, was %d", after.Version, before.Version)
	}
	cl, err := provider.DecodeClient(after)
	if err != nil {
		t.Fatal(err)
	}
	if cl.MinLoA != connectors.LoAHigh || cl.IDTokenLifetime.D() != 30*time.Minute || cl.Theme.DisplayName != "The RP" {
		t.Errorf("decoded %+v", cl)
	}
}
