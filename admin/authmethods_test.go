package admin_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// An admin registers a client for both secret methods or for one; the
// registration shows what the token endpoint then accepts, and a combination
// that would make a secret optional is refused.
func TestClientAuthMethodsThroughAdminAPI(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	var bad struct {
		Problems []string `json:"problems"`
	}
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "mixed", "redirect_uris": []string{b.issuer + "/cb/mixed"},
		"token_endpoint_auth_methods": []string{"client_secret_basic", "none"},
	}, &bad, http.StatusBadRequest)
	if !strings.Contains(strings.Join(bad.Problems, "\n"), `"none" cannot be combined`) {
		t.Errorf("problems %v; want none refused in token_endpoint_auth_methods", bad.Problems)
	}

	redirect := b.issuer + "/cb/either"
	var c createdClient
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "either", "redirect_uris": []string{redirect},
		"token_endpoint_auth_methods": []string{"client_secret_post", "client_secret_basic"},
	}, &c, http.StatusCreated)
	var shown struct {
		Method  string   `json:"token_endpoint_auth_method"`
		Methods []string `json:"token_endpoint_auth_methods"`
	}
	b.mustCall(t, token, "GET", "/clients/either", nil, &shown, http.StatusOK)
	if shown.Method != "client_secret_post" || !slices.Equal(shown.Methods, []string{"client_secret_post", "client_secret_basic"}) {
		t.Errorf("registration shows %q %v; want client_secret_post first of both", shown.Method, shown.Methods)
	}
	authenticate := func(style string) (int, string) {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {redirect}, "client_id": {c.ID}}
		if style == "client_secret_post" {
			form.Set("client_secret", c.ClientSecret)
		}
		req, _ := http.NewRequest("POST", b.issuer+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if style == "client_secret_basic" {
			req.SetBasicAuth(c.ID, c.ClientSecret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			Description string `json:"error_description"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return resp.StatusCode, e.Description
	}
	for _, style := range []string{"client_secret_basic", "client_secret_post"} {
		if status, desc := authenticate(style); status == http.StatusUnauthorized {
			t.Errorf("%s: %d %s; want the client authenticated", style, status, desc)
		}
	}

	b.mustCall(t, token, "PUT", "/clients/either", map[string]any{
		"redirect_uris": []string{redirect}, "token_endpoint_auth_method": "client_secret_basic",
	}, nil, http.StatusOK)
	if status, desc := authenticate("client_secret_post"); status != http.StatusUnauthorized || !strings.Contains(desc, "registered for client_secret_basic") {
		t.Errorf("after the switch to Basic only, the body secret: %d %q; want 401 naming client_secret_basic", status, desc)
	}
}
