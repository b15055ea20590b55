package conformance_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// The dev mode contract: the demo client accepts every secret-based client
// authentication method, and says so where an integrator looks: discovery and
// the client's registration in the admin API.
func TestDevDemoClientAcceptsEverySecretMethod(t *testing.T) {
	d := dev(t)
	for _, style := range []string{"client_secret_basic", "client_secret_post"} {
		t.Run(style, func(t *testing.T) {
			a := authAttempt{devmode.DemoClientID, devmode.DemoClientSecret, style}
			status, got := a.send(t, d.issuer+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "code": {"unknown-code"}, "redirect_uri": {d.redirectURI()}})
			if got.Error != "invalid_grant" {
				t.Errorf("status %d %s: %s; want invalid_grant (the client authenticated, the code is unknown)", status, got.Error, got.Description)
			}
		})
	}

	var meta struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	getJSON(t, d.issuer+"/.well-known/openid-configuration", "", &meta)
	for _, m := range []string{"client_secret_basic", "client_secret_post"} {
		if !slices.Contains(meta.Methods, m) {
			t.Errorf("discovery's token_endpoint_auth_methods_supported %v lacks %s", meta.Methods, m)
		}
	}

	token := adminToken(t, d)
	var reg struct {
		Method  string   `json:"token_endpoint_auth_method"`
		Methods []string `json:"token_endpoint_auth_methods"`
	}
	getJSON(t, d.issuer+"/admin/api/v1/clients/"+devmode.DemoClientID, token, &reg)
	if !slices.Equal(reg.Methods, []string{"client_secret_basic", "client_secret_post"}) || reg.Method != "client_secret_basic" {
		t.Errorf("the demo client's registration: token_endpoint_auth_method %q, token_endpoint_auth_methods %v; want both secret methods", reg.Method, reg.Methods)
	}
}

// adminToken is an access token of dev mode's admin client for the admin API.
func adminToken(t *testing.T, d *devEnv) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, d.issuer+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(devmode.AdminClientID, devmode.AdminClientSecret)
	tr := doToken(t, req)
	if tr.str("access_token") == "" {
		t.Fatalf("admin token: %d %s", tr.Status, tr.Raw)
	}
	return tr.str("access_token")
}

// getJSON GETs url (with a bearer token when given) and decodes the answer.
func getJSON(t *testing.T, u, bearer string, v any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}
