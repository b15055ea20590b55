package admin

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/wiretest"
)

// fullSettings sets every field of the API's client settings.
func fullSettings() ClientSettings {
	return ClientSettings{ID: "rp", Name: "RP", Purpose: "To know who you are", AuthMethod: "client_secret_basic",
		AuthMethods: []string{"client_secret_basic", "client_secret_post"}, JWKS: map[string]any{"keys": []any{}},
		JWKSURL: "https://rp.example/jwks", GrantTypes: []string{"authorization_code", "client_credentials"},
		BackchannelMode: "ping", BackchannelEndpoint: "https://rp.example/ciba", CIBA: &CIBA{RequireReason: true},
		Roles: []string{"auditor"}, ResourceServer: &ResourceServer{Audiences: []string{"other-rp"}},
		ClientURI: "https://rp.example/", RedirectURIs: []string{"https://rp.example/cb"},
		PostLogoutRedirectURIs: []string{"https://rp.example/bye"}, Countries: []string{"SE"}, EIDs: []string{"no-bankid"},
		MinLoA: connectors.LoASubstantial, Scopes: []string{"national_id"}, SubjectType: "public", Sector: "group",
		IDTokenAlg: "ES256", AccessTokenFormat: "jwt", Consent: true, LoginHintPush: true, LoginHintEmail: true,
		DetailsTypes: []string{"urn:portvakt:sign:v1"}, DPoPBoundAccessTokens: true,
		IDTokenEncryptionAlg: "RSA-OAEP-256", IDTokenEncryptionEnc: "A256GCM",
		UserinfoEncryptionAlg: "ECDH-ES+A256KW", UserinfoEncryptionEnc: "A128CBC-HS256",
		Profile: "fapi2", RequirePAR: true, RequireSignedRequest: true, RequestObjectAlg: "PS256",
		Theme: Theme{DisplayName: "The RP", LogoURL: "https://rp.example/logo.png", SupportURL: "https://rp.example/help",
			PrimaryColor: "#112233", PrimaryText: "#ffffff", Background: "#eeeeee", CustomCSS: "body{}"},
		IDTokenLifetime: config.Duration(time.Hour), AccessTokenLifetime: config.Duration(10 * time.Minute)}
}

// TestClientAPIDocumentGolden pins the admin API's client JSON: a renamed
// field or tag fails here instead of silently changing the API.
func TestClientAPIDocumentGolden(t *testing.T) {
	c := Client{ClientSettings: fullSettings(), Disabled: true, Source: SourceAPI, ReadOnly: true, SecretSet: true,
		CreatedAt: "2026-01-02T03:04:05.006Z", UpdatedAt: "2026-01-02T03:04:06.007Z"}
	if unset := wiretest.Unset(c); len(unset) > 0 {
		t.Errorf("the fixture leaves %v unset", unset)
	}
	got, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/client.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(append(got, '\n'), want) {
		t.Errorf("admin API client document changed:\n got %s\nwant %s", got, want)
	}
	var back Client
	if err := json.Unmarshal(want, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("read back\n got %+v\nwant %+v", back, c)
	}
}

// TestClientSettingsMapToConfig: the API's settings reach every field of the
// file's client but the three the API never takes (the secret, its hash, the
// disabled flag), and come back unchanged.
func TestClientSettingsMapToConfig(t *testing.T) {
	in := fullSettings()
	cl := in.asConfig()
	if unset := wiretest.Unset(cl); !slices.Equal(unset, []string{"Secret", "SecretHash", "Disabled"}) {
		t.Errorf("the API's settings leave config.Client's %v unset, want only Secret, SecretHash and Disabled", unset)
	}
	if back := settingsOf(cl); !reflect.DeepEqual(back, in) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, in)
	}
	cl.SecretHash, cl.Disabled = "ab", true
	if back := settingsOf(cl); !reflect.DeepEqual(back, in) {
		t.Errorf("settings show the hash or the flag: %+v", back)
	}
}

// TestOpenAPIClientSchemas: the document's ClientSettings and Client schemas
// name exactly the JSON fields the API reads and writes.
func TestOpenAPIClientSchemas(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `yaml:"properties"`
				AllOf      []struct {
					Properties map[string]any `yaml:"properties"`
				} `yaml:"allOf"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	settings := doc.Components.Schemas["ClientSettings"].Properties
	sameKeys(t, "ClientSettings", settings, jsonNames(reflect.TypeFor[ClientSettings]()))
	var extra map[string]any
	for _, part := range doc.Components.Schemas["Client"].AllOf {
		if part.Properties != nil {
			extra = part.Properties
		}
	}
	sameKeys(t, "Client", extra, jsonNames(reflect.TypeFor[Client]()))
	sameKeys(t, "ClientSettings.theme", settings["theme"].(map[string]any)["properties"].(map[string]any),
		jsonNames(reflect.TypeFor[Theme]()))
}

// jsonNames are the JSON names of t's own fields (an embedded struct's are its own).
func jsonNames(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if f.Anonymous {
			continue
		}
		out = append(out, strings.Split(f.Tag.Get("json"), ",")[0])
	}
	slices.Sort(out)
	return out
}

func sameKeys(t *testing.T, what string, props map[string]any, want []string) {
	t.Helper()
	var got []string
	for k := range props {
		got = append(got, k)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("openapi.yaml %s properties %q, the Go type's JSON fields %q", what, got, want)
	}
}
