package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/devmode"
)

type createdClient struct {
	admin.Client
	ClientSecret string `json:"client_secret"`
}

func createSEDK(t *testing.T, b *broker, token, id string) (createdClient, string) {
	t.Helper()
	redirect := b.issuer + "/cb/" + id
	var c createdClient
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": id, "name": "Nordic shop", "redirect_uris": []string{redirect}, "countries": []string{"SE", "DK"},
	}, &c, http.StatusCreated)
	if c.ClientSecret == "" || c.ReadOnly || c.Source != "api" {
		t.Fatalf("created client %+v", c)
	}
	return c, redirect
}

func loginPageEIDs(t *testing.T, b *broker, clientID, redirect string) map[string]bool {
	t.Helper()
	p := follow(t, browser(), authorizeURL(b.issuer, clientID, redirect, nil), redirect)
	if p.Query != nil {
		t.Fatalf("the login went straight back to the client: %v", p.Query)
	}
	return offeredEIDs(p.HTML)
}

// TestClientCountriesDecideTheLoginPage: a client allowed only SE and DK is
// offered only Swedish BankID, MitID and Freja eID (for the people of those two
// countries), a request for FI gets an OIDC error, and removing DK applies to
// the next login without a restart.
func TestClientCountriesDecideTheLoginPage(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	c, redirect := createSEDK(t, b, token, "shop")

	got := loginPageEIDs(t, b, c.ID, redirect)
	if len(got) != 3 || !got["se-bankid"] || !got["dk-mitid"] || !got["freja"] {
		t.Fatalf("the login page offers %v, want se-bankid, dk-mitid and freja", got)
	}

	fi := follow(t, browser(), authorizeURL(b.issuer, c.ID, redirect, url.Values{"acr_values": {"urn:portvakt:eid:fi:ftn"}}), redirect)
	if fi.Query == nil || fi.Query.Get("error") == "" || fi.Query.Get("code") != "" {
		t.Fatalf("a request for FI ended at %v, want an OIDC error at the client", fi.URL)
	}

	c.Countries = []string{"SE"}
	var updated admin.Client
	b.mustCall(t, token, "PUT", "/clients/"+c.ID, c.Client, &updated, http.StatusOK)
	if strings.Join(updated.Countries, ",") != "SE" {
		t.Fatalf("updated countries %v", updated.Countries)
	}
	got = loginPageEIDs(t, b, c.ID, redirect)
	if got["dk-mitid"] || !got["se-bankid"] {
		t.Fatalf("after removing DK the login page offers %v", got)
	}
}

// TestSecondProcessSeesClientChange: two brokers on one MariaDB; a change made
// through one applies to the next login on the other, without a restart.
func TestSecondProcessSeesClientChange(t *testing.T) {
	a, b := startTwoBrokers(t)
	token := a.adminToken(t)
	c, redirect := createSEDK(t, a, token, "shared-shop")
	if got := loginPageEIDs(t, b, c.ID, redirect); !got["dk-mitid"] || !got["se-bankid"] {
		t.Fatalf("process B offers %v, want se-bankid and dk-mitid", got)
	}
	c.Countries = []string{"SE"}
	a.mustCall(t, token, "PUT", "/clients/"+c.ID, c.Client, nil, http.StatusOK)

	deadline := time.Now().Add(10 * time.Second)
	for {
		got := loginPageEIDs(t, b, c.ID, redirect)
		if !got["dk-mitid"] && got["se-bankid"] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process B still offers %v ten seconds after DK was removed through process A", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestNoValidAdminTokenCannotChangeClients: no token, a forged, an expired and
// an auditor token are all refused a change; the refused auditor is audited.
func TestNoValidAdminTokenCannotChangeClients(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	adminToken := b.adminToken(t)
	c, _ := createSEDK(t, b, adminToken, "guarded")
	change := map[string]any{"id": c.ID, "redirect_uris": c.RedirectURIs, "countries": []string{"FI"}}

	expired := expiredAdminToken(t, b)
	auditor := b.token(t, devmode.AuditorClientID, devmode.AuditorClientSecret)
	for _, tc := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"forged token", adminToken[:len(adminToken)-4] + "AAAA", http.StatusUnauthorized},
		{"expired token", expired, http.StatusUnauthorized},
		{"auditor token", auditor, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body struct {
				Error string `json:"error"`
			}
			status, header := b.call(t, tc.token, "PUT", "/clients/"+c.ID, change, &body)
			if status != tc.want || body.Error == "" {
				t.Fatalf("PUT: status %d error %q, want %d", status, body.Error, tc.want)
			}
			if tc.want == http.StatusUnauthorized && !strings.Contains(header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate = %q", header.Get("WWW-Authenticate"))
			}
			for _, m := range []struct{ method, path string }{
				{"POST", "/clients/" + c.ID + "/disable"}, {"DELETE", "/clients/" + c.ID}, {"POST", "/clients/" + c.ID + "/secret"},
			} {
				if status, _ := b.call(t, tc.token, m.method, m.path, nil, nil); status != tc.want {
					t.Errorf("%s %s: status %d, want %d", m.method, m.path, status, tc.want)
				}
			}
		})
	}
	if status, _ := b.call(t, "", "GET", "/clients", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("GET /clients without a token: %d", status)
	}
	var got admin.Client
	b.mustCall(t, auditor, "GET", "/clients/"+c.ID, nil, &got, http.StatusOK)
	if strings.Join(got.Countries, ",") != "SE,DK" || got.Disabled {
		t.Errorf("the client changed: countries %v disabled %v", got.Countries, got.Disabled)
	}
	var trail struct {
		Records []struct {
			Actor, Action, Outcome string
		} `json:"records"`
	}
	b.mustCall(t, adminToken, "GET", "/audit?client_id="+c.ID, nil, &trail, http.StatusOK)
	denied := 0
	for _, r := range trail.Records {
		if r.Actor == "client:auditor" && r.Outcome == "denied" {
			denied++
		}
	}
	if denied != 4 {
		t.Errorf("%d refused auditor changes audited, want 4: %+v", denied, trail.Records)
	}
}

// expiredAdminToken signs, with the broker's own key, an admin token that expired.
func expiredAdminToken(t *testing.T, b *broker) string {
	t.Helper()
	key, err := b.env.Broker.Keys.SigningKey(context.Background(), "RS256")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(), Key: &jose.JSONWebKey{Key: key.Key(), KeyID: key.ID()}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	raw, err := jwt.Signed(signer).Claims(map[string]any{
		"iss": b.issuer, "sub": "admin", "aud": []string{b.env.Broker.Provider.AdminAudience()},
		"iat": past.Unix(), "nbf": past.Unix(), "exp": past.Add(10 * time.Minute).Unix(), "jti": "expired",
		"scope": "admin", "client_id": "admin", "roles": []string{"admin"},
	}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestConfigClientsAreReadOnly: the config file's clients are shown marked
// read-only and every write is a 409.
func TestConfigClientsAreReadOnly(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	var demo admin.Client
	b.mustCall(t, token, "GET", "/clients/demo", nil, &demo, http.StatusOK)
	var shown map[string]any
	b.mustCall(t, token, "GET", "/clients/demo", nil, &shown, http.StatusOK)
	if _, hash := shown["secret_hash"]; !demo.ReadOnly || demo.Source != "config" || !demo.SecretSet || hash {
		t.Fatalf("demo client as shown: %+v", shown)
	}
	for _, m := range []struct {
		method, path string
		body         any
	}{
		{"PUT", "/clients/demo", demo.ClientSettings}, {"POST", "/clients/demo/disable", nil},
		{"POST", "/clients/demo/secret", nil}, {"DELETE", "/clients/demo", nil},
	} {
		if status, _ := b.call(t, token, m.method, m.path, m.body, nil); status != http.StatusConflict {
			t.Errorf("%s %s: status %d, want 409", m.method, m.path, status)
		}
	}
}

// TestClientLifecycle: invalid documents list every problem; the secret is
// shown once and works; rotation, disabling and deletion take effect at once.
func TestClientLifecycle(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	var bad struct {
		Problems []string `json:"problems"`
	}
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "bad", "redirect_uris": []string{"http://example.com/cb", "https://x.example/*"}, "countries": []string{"XX"},
	}, &bad, http.StatusBadRequest)
	if len(bad.Problems) < 3 {
		t.Errorf("problems %v, want the http redirect, the wildcard and the country", bad.Problems)
	}

	c, _ := createSEDK(t, b, token, "life")
	if status, _ := b.call(t, token, "POST", "/clients", map[string]any{"id": "life", "redirect_uris": c.RedirectURIs}, nil); status != http.StatusConflict {
		t.Errorf("a second client with the same id: %d, want 409", status)
	}
	credentialsWork := func(secret string) bool {
		req, _ := http.NewRequest("POST", b.issuer+"/oauth/token", strings.NewReader("grant_type=authorization_code&code=nope&redirect_uri="+url.QueryEscape(c.RedirectURIs[0])))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.ID, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// A bad code is invalid_grant (400); bad credentials are invalid_client (401).
		return resp.StatusCode != http.StatusUnauthorized
	}
	if !credentialsWork(c.ClientSecret) {
		t.Fatal("the secret from the create response does not authenticate")
	}
	var shown map[string]any
	b.mustCall(t, token, "GET", "/clients/life", nil, &shown, http.StatusOK)
	if _, has := shown["client_secret"]; has || shown["secret_hash"] != nil {
		t.Errorf("a read shows the secret: %v", shown)
	}
	var rotated struct {
		ClientSecret string `json:"client_secret"`
	}
	b.mustCall(t, token, "POST", "/clients/life/secret", nil, &rotated, http.StatusOK)
	if credentialsWork(c.ClientSecret) || !credentialsWork(rotated.ClientSecret) {
		t.Error("after rotation the old secret still works or the new one does not")
	}
	b.mustCall(t, token, "POST", "/clients/life/disable", nil, nil, http.StatusOK)
	if credentialsWork(rotated.ClientSecret) {
		t.Error("a disabled client still authenticates")
	}
	b.mustCall(t, token, "POST", "/clients/life/enable", nil, nil, http.StatusOK)
	if !credentialsWork(rotated.ClientSecret) {
		t.Error("an enabled client does not authenticate")
	}
	b.mustCall(t, token, "DELETE", "/clients/life", nil, nil, http.StatusNoContent)
	b.mustCall(t, token, "GET", "/clients/life", nil, nil, http.StatusNotFound)

	var trail struct {
		Records []struct{ Action, Actor string } `json:"records"`
	}
	b.mustCall(t, token, "GET", "/audit?client_id=life", nil, &trail, http.StatusOK)
	var actions []string
	for _, r := range trail.Records {
		if r.Actor == "client:admin" {
			actions = append(actions, r.Action)
		}
	}
	want := "client.create,client.rotate_secret,client.disable,client.enable,client.delete"
	if strings.Join(actions, ",") != want {
		t.Errorf("audited admin changes %v, want %s", actions, want)
	}
}
