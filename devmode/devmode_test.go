package devmode

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/connectors"
)

// devServer runs dev mode in the test process on a free port.
type devServer struct {
	issuer string
	env    *Env
	cancel context.CancelFunc
}

func startDevServer(t *testing.T, data string, autoApprove bool) *devServer {
	t.Helper()
	return startDevServerWith(t, Options{Data: data, AutoApprove: autoApprove})
}

func (d *devServer) stop() {
	if d.cancel != nil {
		d.cancel()
		_ = d.env.Wait()
		d.cancel = nil
	}
}

// redirectsOnly follows a login as a plain HTTP client: every response until the
// client's redirect_uri must be a redirect.
func redirectsOnly(t *testing.T, c *http.Client, start, redirectURI string) url.Values {
	t.Helper()
	next := start
	for hop := 0; hop < 20; hop++ {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("hop %d, %s: status %d, want a redirect; body: %.300s", hop, next, resp.StatusCode, body)
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(loc.String(), redirectURI) {
			return loc.Query()
		}
		next = loc.String()
	}
	t.Fatal("no redirect to the client after 20 hops")
	return nil
}

func noFollow(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestDevAutoApproveIsOnlyRedirects(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	redirect := d.issuer + "/demo/callback"
	verifier := oauth2.GenerateVerifier()
	cfg := oauth2.Config{ClientID: "demo", ClientSecret: "demo-secret", RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{AuthURL: d.issuer + "/authorize", TokenURL: d.issuer + "/oauth/token"},
		Scopes:   []string{"openid", "profile", "national_id"}}
	for _, acr := range []string{"urn:portvakt:eid:dk:mitid", "urn:portvakt:eid:no:bankid", "urn:portvakt:eid:fi:ftn", "urn:portvakt:eid:se:bankid:other-device"} {
		t.Run(acr, func(t *testing.T) {
			start := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("acr_values", acr))
			got := redirectsOnly(t, noFollow(t), start, redirect)
			if got.Get("code") == "" || got.Get("iss") != d.issuer || got.Get("state") != "st" {
				t.Fatalf("callback %v", got)
			}
			tok, err := cfg.Exchange(context.Background(), got.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			claims := idTokenClaims(t, tok)
			if claims["national_id"] == nil || claims["acr"] == nil || claims["country"] == nil {
				t.Errorf("claims %v", claims)
			}
		})
	}
}

func TestDevDemoShowsTheVerifiedIdentity(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Get(d.issuer + "/demo/login?" + url.Values{"acr_values": {"urn:portvakt:eid:se:bankid:other-device"}, "login_hint": {"sub:198507232398"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.Request.URL.Path != "/demo" {
		t.Fatalf("ended at %s", resp.Request.URL)
	}
	for _, want := range []string{"198507232398", "http://eidas.europa.eu/LoA/substantial", "Alva", "se-bankid", ">SE<"} {
		if !strings.Contains(page, want) {
			t.Errorf("the demo page does not show %q", want)
		}
	}
	// login_hint=sub:<personnummer> reached the BankID order's requirement, over mTLS.
	auths := d.env.Simulators.BankID.RequestsTo("auth")
	if len(auths) != 1 {
		t.Fatalf("%d auth requests at the BankID simulator", len(auths))
	}
	var order struct {
		EndUserIP   string `json:"endUserIp"`
		Requirement struct {
			PersonalNumber string `json:"personalNumber"`
		} `json:"requirement"`
	}
	if err := json.Unmarshal(auths[0].Body, &order); err != nil {
		t.Fatal(err)
	}
	if order.Requirement.PersonalNumber != "198507232398" || order.EndUserIP != "127.0.0.1" || auths[0].ClientCN != "portvakt dev" {
		t.Errorf("auth request %s from client certificate %q", auths[0].Body, auths[0].ClientCN)
	}
}

func TestDevRestartKeepsKeysAndClients(t *testing.T) {
	data := t.TempDir()
	first := startDevServer(t, data, true)
	kids := jwksKids(t, first.issuer)
	first.stop()

	second := startDevServer(t, data, true)
	if again := jwksKids(t, second.issuer); strings.Join(again, ",") != strings.Join(kids, ",") {
		t.Errorf("signing keys changed across a restart: %v, then %v", kids, again)
	}
	redirect := second.issuer + "/demo/callback"
	got := redirectsOnly(t, noFollow(t), second.issuer+"/authorize?"+url.Values{"client_id": {"demo"}, "response_type": {"code"},
		"scope": {"openid"}, "redirect_uri": {redirect}, "acr_values": {"urn:portvakt:eid:dk:mitid"}}.Encode(), redirect)
	if got.Get("code") == "" {
		t.Errorf("the demo client did not survive the restart: %v", got)
	}
}

func jwksKids(t *testing.T, issuer string) []string {
	t.Helper()
	resp, err := http.Get(issuer + "/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid)
	}
	if len(out) == 0 {
		t.Fatal("empty JWKS")
	}
	return out
}

func idTokenClaims(t *testing.T, tok *oauth2.Token) map[string]any {
	t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("id_token %q", raw)
	}
	b, err := base64URL(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// TestDevWritesCurrentConnectorKeys: dev mode's connector configs use the
// snake_case keys, so it logs no deprecation warnings of its own.
func TestDevWritesCurrentConnectorKeys(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	for _, c := range d.env.Simulators.ConnectorConfigs() {
		for key := range c.Config {
			if connectors.SnakeCase(key) != key {
				t.Errorf("connector %s: key %q is the deprecated spelling of %q", c.ID, key, connectors.SnakeCase(key))
			}
		}
	}
}
