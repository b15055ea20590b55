package admin_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// pkceVerifier is the RFC 7636 example verifier of authorizeURL's challenge.
const pkceVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

// createAdminClient makes an API client with the given roles and returns its secret.
func createAdminClient(t *testing.T, b *broker, token, id string, roles ...string) string {
	t.Helper()
	var c createdClient
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": id, "grant_types": []string{"client_credentials"}, "roles": roles,
	}, &c, http.StatusCreated)
	return c.ClientSecret
}

// createClientStatus is the admin API's answer to creating a throwaway client.
func createClientStatus(t *testing.T, b *broker, token, id string) int {
	t.Helper()
	status, _ := b.call(t, token, "POST", "/clients", map[string]any{"id": id, "redirect_uris": []string{b.issuer + "/cb/" + id}}, nil)
	return status
}

// TestDeletedAdminClientTokenCannotCreateClients: the token of an admin client
// stops working the moment the client is deleted or disabled.
func TestDeletedAdminClientTokenCannotCreateClients(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	root := b.adminToken(t)
	for _, tc := range []struct {
		name, method, path string
		want               int
	}{
		{"deleted", "DELETE", "", http.StatusNoContent},
		{"disabled", "POST", "/disable", http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "ops-" + tc.name
			token := b.token(t, id, createAdminClient(t, b, root, id, "admin"))
			if status := createClientStatus(t, b, token, id+"-first"); status != http.StatusCreated {
				t.Fatalf("the live admin client creates a client: status %d, want 201", status)
			}
			b.mustCall(t, root, tc.method, "/clients/"+id+tc.path, nil, nil, tc.want)
			if status := createClientStatus(t, b, token, id+"-after"); status != http.StatusUnauthorized {
				t.Fatalf("the %s admin client's token creates a client: status %d, want 401", tc.name, status)
			}
		})
	}
}

// TestRemovedRoleStopsAtOnce: an admin client demoted to auditor can no longer
// change clients with the token it got as an admin.
func TestRemovedRoleStopsAtOnce(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	root := b.adminToken(t)
	token := b.token(t, "ops", createAdminClient(t, b, root, "ops", "admin"))
	b.mustCall(t, root, "PUT", "/clients/ops", map[string]any{
		"id": "ops", "grant_types": []string{"client_credentials"}, "roles": []string{"auditor"},
	}, nil, http.StatusOK)
	if status := createClientStatus(t, b, token, "ops-after"); status != http.StatusUnauthorized && status != http.StatusForbidden {
		t.Fatalf("a token from before the admin role was removed creates a client: status %d, want 401 or 403", status)
	}
}

// loginTokens runs a code flow for an API client and returns its access token.
func loginTokens(t *testing.T, b *broker, clientID, secret, redirect string) string {
	t.Helper()
	p := follow(t, browser(), authorizeURL(b.issuer, clientID, redirect, url.Values{"acr_values": {"urn:portvakt:eid:dk:mitid"}}), redirect)
	code := p.Query.Get("code")
	if code == "" {
		t.Fatalf("login ended at %v, want a code", p.URL)
	}
	return b.accessToken(t, clientID, secret,
		url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {pkceVerifier}})
}

func userinfoStatus(t *testing.T, b *broker, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// introspectActive asks the introspection endpoint as the given client.
func introspectActive(t *testing.T, b *broker, clientID, secret, token string) bool {
	t.Helper()
	var body struct {
		Active bool `json:"active"`
	}
	if status := b.postAsClient(t, "/oauth/introspect", clientID, secret, url.Values{"token": {token}}, &body); status != http.StatusOK {
		t.Fatalf("introspection as %s: status %d", clientID, status)
	}
	return body.Active
}

// TestClientEndEndsItsAccessTokens: disabling a client, rotating its secret,
// re-keying it or removing a scope it was allowed kills the access tokens it holds:
// userinfo answers 401 and introspection (by the client itself, with its current
// credentials) says inactive.
func TestClientEndEndsItsAccessTokens(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	root := b.adminToken(t)
	for _, tc := range []struct {
		name string
		// change ends the client's old tokens and returns the secret it has after.
		change func(t *testing.T, c createdClient) string
		// introspect says whether the client can still ask introspection.
		introspect bool
	}{
		{"disabled", func(t *testing.T, c createdClient) string {
			b.mustCall(t, root, "POST", "/clients/"+c.ID+"/disable", nil, nil, http.StatusOK)
			return c.ClientSecret
		}, false},
		{"secret rotated", func(t *testing.T, c createdClient) string {
			var rotated struct {
				ClientSecret string `json:"client_secret"`
			}
			b.mustCall(t, root, "POST", "/clients/"+c.ID+"/secret", nil, &rotated, http.StatusOK)
			return rotated.ClientSecret
		}, true},
		{"scope removed", func(t *testing.T, c createdClient) string {
			c.Scopes = nil
			b.mustCall(t, root, "PUT", "/clients/"+c.ID, c.Client, nil, http.StatusOK)
			return c.ClientSecret
		}, true},
		{"switched to post", func(t *testing.T, c createdClient) string {
			c.AuthMethod = "client_secret_post"
			b.mustCall(t, root, "PUT", "/clients/"+c.ID, c.Client, nil, http.StatusOK)
			return ""
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := strings.ReplaceAll(tc.name, " ", "-")
			redirect := b.issuer + "/cb/" + id
			var c createdClient
			b.mustCall(t, root, "POST", "/clients", map[string]any{
				"id": id, "redirect_uris": []string{redirect}, "scopes": []string{"national_id"},
			}, &c, http.StatusCreated)
			token := loginTokens(t, b, id, c.ClientSecret, redirect)
			if status := userinfoStatus(t, b, token); status != http.StatusOK {
				t.Fatalf("userinfo with a fresh token: status %d", status)
			}
			if !introspectActive(t, b, id, c.ClientSecret, token) {
				t.Fatal("a fresh token is inactive")
			}
			secret := tc.change(t, c)
			if status := userinfoStatus(t, b, token); status != http.StatusUnauthorized {
				t.Errorf("userinfo after the client was %s: status %d, want 401", tc.name, status)
			}
			if tc.introspect && introspectActive(t, b, id, secret, token) {
				t.Errorf("introspection after the client was %s: active", tc.name)
			}
			if !tc.introspect && introspectActive(t, b, devmode.DemoClientID, devmode.DemoClientSecret, token) {
				t.Errorf("introspection after the client was %s: active", tc.name)
			}
		})
	}
}

// TestClientEndReachesOtherProcessAtOnce: two brokers on one MariaDB; an admin
// client deleted through one can no longer use, on the other, a token it got
// there: no cache refresh has to pass first.
func TestClientEndReachesOtherProcessAtOnce(t *testing.T) {
	a, b := startTwoBrokers(t)
	root := a.adminToken(t)
	token := b.token(t, "ops", createAdminClient(t, a, root, "ops", "admin"))
	if status := createClientStatus(t, b, token, "ops-first"); status != http.StatusCreated {
		t.Fatalf("the live admin client creates a client through process B: status %d, want 201", status)
	}
	a.mustCall(t, root, "DELETE", "/clients/ops", nil, nil, http.StatusNoContent)
	if status := createClientStatus(t, b, token, "ops-after"); status != http.StatusUnauthorized {
		t.Fatalf("right after the admin client was deleted through process A, its token creates a client through process B: status %d, want 401", status)
	}
}

// TestAdminRefusesLifetimesPastTheCaps: the admin API applies the same lifetime
// caps as the configuration file, naming the field and the cap.
func TestAdminRefusesLifetimesPastTheCaps(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	root := b.adminToken(t)
	for _, tc := range []struct{ field, value, want string }{
		{"access_token_lifetime", "87600h", "access_token_lifetime: 87600h0m0s is longer than the cap of 1h0m0s"},
		{"id_token_lifetime", "87600h", "id_token_lifetime: 87600h0m0s is longer than the cap of 24h0m0s"},
	} {
		t.Run(tc.field, func(t *testing.T) {
			var bad struct {
				Problems []string `json:"problems"`
			}
			b.mustCall(t, root, "POST", "/clients", map[string]any{
				"id": "long-" + strings.ReplaceAll(tc.field, "_", "-"), "grant_types": []string{"client_credentials"}, tc.field: tc.value,
			}, &bad, http.StatusBadRequest)
			if !slices.Contains(bad.Problems, tc.want) {
				t.Fatalf("problems %q, want %q", bad.Problems, tc.want)
			}
		})
	}
}

// TestRecreatedClientInheritsNothing: a client deleted and created again with the
// same id starts from nothing: the browser's single sign-on login and the
// person's remembered consent belonged to the client that was deleted.
func TestRecreatedClientInheritsNothing(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	root := b.adminToken(t)
	redirect := b.issuer + "/cb/again"
	create := func() {
		b.mustCall(t, root, "POST", "/clients", map[string]any{
			"id": "again", "name": "Again", "purpose": "To open your account.", "redirect_uris": []string{redirect}, "consent": true,
		}, nil, http.StatusCreated)
	}
	mitid := url.Values{"acr_values": {"urn:portvakt:eid:dk:mitid"}}
	silent := url.Values{"acr_values": {"urn:portvakt:eid:dk:mitid"}, "prompt": {"none"}}
	create()
	c := browser()
	p := follow(t, c, authorizeURL(b.issuer, "again", redirect, mitid), redirect)
	if p.Query != nil || csrfPattern.FindStringSubmatch(p.HTML) == nil {
		t.Fatalf("no consent page on the first login; ended at %v", p.URL)
	}
	form := url.Values{"consent": {"allow"}, "remember": {"1"}, "csrf_token": {csrfPattern.FindStringSubmatch(p.HTML)[1]}}
	if got := post(t, c, p.URL, consentActionPattern.FindStringSubmatch(p.HTML)[1], form, redirect); got.Query.Get("code") == "" {
		t.Fatalf("consent ended with %v", got.Query)
	}
	if got := follow(t, c, authorizeURL(b.issuer, "again", redirect, silent), redirect); got.Query.Get("code") == "" {
		t.Fatalf("the silent login before the client was deleted ended with %v, want a code", got.Query)
	}
	if got := follow(t, browser(), authorizeURL(b.issuer, "again", redirect, mitid), redirect); got.Query.Get("code") == "" {
		t.Fatalf("the remembered consent did not skip the consent page before the client was deleted: ended at %v", got.URL)
	}

	b.mustCall(t, root, "DELETE", "/clients/again", nil, nil, http.StatusNoContent)
	create()
	if got := follow(t, c, authorizeURL(b.issuer, "again", redirect, silent), redirect); got.Query.Get("error") != "login_required" {
		t.Errorf("a silent login for the new client with the same id ended with %v, want error=login_required", got.Query)
	}
	if got := follow(t, browser(), authorizeURL(b.issuer, "again", redirect, mitid), redirect); got.Query != nil {
		t.Errorf("the new client with the same id skipped the consent page: ended with %v", got.Query)
	}
}
