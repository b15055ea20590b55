package storage

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/portvakt/portvakt/internal/wiretest"
)

// fullClientDocument sets every field, so that the golden file shows the
// stored name of each.
func fullClientDocument() ClientDocument {
	return ClientDocument{
		Format: ClientDocumentFormat, ID: "rp", Name: "RP", Purpose: "To know who you are",
		SecretHash:  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		AuthMethod:  "client_secret_basic",
		AuthMethods: []string{"client_secret_basic", "client_secret_post"},
		JWKS:        map[string]any{"keys": []any{}}, JWKSURL: "https://rp.example/jwks",
		GrantTypes: []string{"authorization_code", "client_credentials"}, Roles: []string{"auditor"},
		BackchannelMode: "ping", BackchannelEndpoint: "https://rp.example/ciba", CIBA: &ClientCIBA{RequireReason: true},
		ResourceServer: &ClientResourceServer{Audiences: []string{"other-rp"}},
		ClientURI:      "https://rp.example/", RedirectURIs: []string{"https://rp.example/cb"},
		PostLogout: []string{"https://rp.example/bye"}, Countries: []string{"SE"}, EIDs: []string{"no-bankid"},
		MinLoA: "substantial", Scopes: []string{"national_id"}, SubjectType: "public", Sector: "group",
		IDTokenAlg: "ES256", AccessFormat: "jwt", Consent: true, LoginHintPush: true, LoginHintEmail: true, DPoPBound: true,
		DetailsTypes:  []string{"urn:portvakt:sign:v1"},
		IDTokenEncAlg: "RSA-OAEP-256", IDTokenEncEnc: "A256GCM", UserinfoEncAlg: "ECDH-ES+A256KW", UserinfoEncEnc: "A128CBC-HS256",
		Profile: "fapi2", RequirePAR: true, RequireSigned: true, RequestAlg: "PS256",
		Theme: ClientTheme{DisplayName: "The RP", LogoURL: "https://rp.example/logo.png", SupportURL: "https://rp.example/help",
			PrimaryColor: "#112233", PrimaryText: "#ffffff", Background: "#eeeeee", CustomCSS: "body{}"},
		IDTokenLifetime: "1h0m0s", AccessTokenLifetime: "10m0s", Disabled: true,
	}
}

// TestClientDocumentGolden pins the stored JSON: a renamed field or tag fails
// here instead of silently changing what the database holds. A deliberate
// change raises ClientDocumentFormat and teaches DecodeClientDocument the old one.
func TestClientDocumentGolden(t *testing.T) {
	d := fullClientDocument()
	if unset := wiretest.Unset(d); len(unset) > 0 {
		t.Errorf("the fixture leaves %v unset", unset)
	}
	got, err := EncodeClientDocument(d)
	if err != nil {
		t.Fatal(err)
	}
	if want := wiretest.Golden(t, "testdata/client_document.json"); !bytes.Equal(got, want) {
		t.Errorf("stored client document changed:\n got %s\nwant %s", got, want)
	}
	back, err := DecodeClientDocument(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, d) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, d)
	}
}

// TestClientDocumentBeforeFormats: a document written before documents had a
// format (the settings as the broker stored them until then) still loads.
func TestClientDocumentBeforeFormats(t *testing.T) {
	stored := `{"id":"rp","name":"RP","purpose":"To know who you are",` +
		`"secret_hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",` +
		`"token_endpoint_auth_method":"client_secret_basic","token_endpoint_auth_methods":["client_secret_basic","client_secret_post"],` +
		`"jwks":{"keys":[]},"jwks_uri":"https://rp.example/jwks","grant_types":["authorization_code","client_credentials"],` +
		`"roles":["auditor"],"resource_server":{"audiences":["other-rp"]},"client_uri":"https://rp.example/",` +
		`"redirect_uris":["https://rp.example/cb"],"post_logout_redirect_uris":["https://rp.example/bye"],` +
		`"countries":["SE"],"eids":["no-bankid"],"min_loa":"substantial","scopes":["national_id"],` +
		`"subject_type":"public","sector":"group","id_token_signed_response_alg":"ES256","access_token_format":"jwt",` +
		`"consent":true,"theme":{"display_name":"The RP","logo_url":"https://rp.example/logo.png",` +
		`"support_url":"https://rp.example/help","primary_color":"#112233","primary_text_color":"#ffffff",` +
		`"background_color":"#eeeeee","custom_css":"body{}"},"id_token_lifetime":"1h0m0s",` +
		`"access_token_lifetime":"10m0s","disabled":true}`
	got, err := DecodeClientDocument(json.RawMessage(stored))
	if err != nil {
		t.Fatal(err)
	}
	want := fullClientDocument()
	// Settings added since are off in a document that predates them.
	want.LoginHintPush, want.LoginHintEmail, want.DPoPBound = false, false, false
	want.IDTokenEncAlg, want.IDTokenEncEnc, want.UserinfoEncAlg, want.UserinfoEncEnc = "", "", "", ""
	want.BackchannelMode, want.BackchannelEndpoint, want.CIBA = "", "", nil
	want.Profile, want.RequirePAR, want.RequireSigned, want.RequestAlg = "", false, false, ""
	want.DetailsTypes = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n got %+v\nwant %+v", got, want)
	}
}

func TestClientDocumentUnknownFormatRefused(t *testing.T) {
	for _, stored := range []string{`{"format":2,"id":"rp"}`, `{"format":-1,"id":"rp"}`, `{"id":`} {
		if _, err := DecodeClientDocument(json.RawMessage(stored)); err == nil {
			t.Errorf("%s decoded, want an error", stored)
		}
	}
}
