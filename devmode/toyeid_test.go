package devmode

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/bench"
	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/internal/toyeid"
)

// TestAFifthEIDNeedsOnlyItsRegistration: an eID that is its package, its
// simulator and one registration line is simulated in dev mode, offered on the
// login page and by the demo app, advertised in discovery, logs a person in and
// is load-tested by bench, with nothing else edited.
func TestAFifthEIDNeedsOnlyItsRegistration(t *testing.T) {
	reg := append(broker.ConnectorTypes(), toyeid.Type())
	d := startDevServerWith(t, Options{Data: t.TempDir(), AutoApprove: true, Connectors: reg})

	t.Run("discovery", func(t *testing.T) {
		var doc struct {
			ACRValues []string `json:"acr_values_supported"`
		}
		if err := json.Unmarshal([]byte(get(t, http.DefaultClient, d.issuer+"/.well-known/openid-configuration")), &doc); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{toyeid.URN, "urn:portvakt:country:xx", "urn:portvakt:eid:dk:mitid"} {
			if !slices.Contains(doc.ACRValues, want) {
				t.Errorf("acr_values_supported %v lacks %s", doc.ACRValues, want)
			}
		}
	})
	t.Run("simulators index", func(t *testing.T) {
		page := get(t, http.DefaultClient, d.issuer+"/sim/")
		for _, want := range []string{"sim-xx-toy", "<h2>Toy eID</h2>", "Toy Testperson", "sim-se-bankid", "<h2>BankID (Sweden)</h2>"} {
			if !strings.Contains(page, want) {
				t.Errorf("the simulators' index does not show %q", want)
			}
		}
	})
	t.Run("login page", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
		page := get(t, browser, d.issuer+"/authorize?"+url.Values{"client_id": {DemoClientID}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {d.issuer + "/demo/callback"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
			"code_challenge_method": {"S256"}}.Encode())
		for _, want := range []string{`value="xx-toy/"`, "Toy eID", `value="dk-mitid/`, `src="/static/eids/xx-toy.svg`, "With the MitID app or code display"} {
			if !strings.Contains(page, want) {
				t.Errorf("the login page does not offer %q; page: %.2000s", want, page)
			}
		}
		svPage := get(t, browser, d.issuer+"/authorize?"+url.Values{"client_id": {DemoClientID}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {d.issuer + "/demo/callback"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
			"code_challenge_method": {"S256"}, "ui_locales": {"sv"}}.Encode())
		for _, want := range []string{"Leksaks-eID", "För den som leker", "Finländska bankkoder (FTN)"} {
			if !strings.Contains(svPage, want) {
				t.Errorf("the Swedish login page does not show the connector's own text %q", want)
			}
		}
		if logo := get(t, browser, d.issuer+"/static/eids/xx-toy.svg"); !strings.Contains(logo, "TOY") {
			t.Errorf("the toy's logo is %.100s", logo)
		}
		// The built-in eIDs carry their logos the same way.
		for _, id := range []string{"se-bankid", "no-bankid", "fi-ftn", "dk-mitid"} {
			if logo := get(t, browser, d.issuer+"/static/eids/"+id+".svg"); !strings.Contains(logo, "<svg") {
				t.Errorf("the %s logo is %.100s", id, logo)
			}
		}
	})
	t.Run("demo buttons", func(t *testing.T) {
		page := get(t, http.DefaultClient, d.issuer+"/demo?lang=sv")
		for _, want := range []string{"Leksaks-eID (XX)", "acr_values=" + url.QueryEscape(toyeid.URN), "MitID (Danmark)"} {
			if !strings.Contains(page, want) {
				t.Errorf("the demo app does not offer %q; page: %.2000s", want, page)
			}
		}
	})
	t.Run("bench", func(t *testing.T) {
		res, err := bench.Run(context.Background(), bench.Options{Issuer: d.issuer, EID: "xx-toy", Registry: reg, Concurrency: 2, Duration: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if res.Flows == 0 || res.ErrorCount() != 0 || res.ACRValues != toyeid.URN {
			t.Errorf("bench with the toy: %d flows, errors %v, acr_values %q", res.Flows, res.Errors, res.ACRValues)
		}
	})
	t.Run("login", func(t *testing.T) {
		redirect := d.issuer + "/demo/callback"
		verifier := oauth2.GenerateVerifier()
		cfg := oauth2.Config{ClientID: DemoClientID, ClientSecret: DemoClientSecret, RedirectURL: redirect,
			Endpoint: oauth2.Endpoint{AuthURL: d.issuer + "/authorize", TokenURL: d.issuer + "/oauth/token"}, Scopes: []string{"openid", "profile"}}
		start := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("acr_values", toyeid.URN))
		got := redirectsOnly(t, noFollow(t), start, redirect)
		tok, err := cfg.Exchange(context.Background(), got.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		if claims := idTokenClaims(t, tok); claims["idp"] != "xx-toy" || claims["name"] != "Toy Testperson" {
			t.Errorf("claims %v", claims)
		}
	})
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", u, resp.StatusCode, body)
	}
	return string(body)
}

// TestEveryACRAliasIsAdvertised: the acr values other brokers use, which each
// connector maps to ours, select something discovery advertises, and the values
// relying parties moving from those brokers send select the eID they meant.
func TestEveryACRAliasIsAdvertised(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	var doc struct {
		ACRValues []string `json:"acr_values_supported"`
	}
	if err := json.Unmarshal([]byte(get(t, http.DefaultClient, d.issuer+"/.well-known/openid-configuration")), &doc); err != nil {
		t.Fatal(err)
	}
	aliases := map[string]string{}
	for id, c := range d.env.Broker.Connectors {
		for alias, ours := range c.Info().ACRAliases {
			aliases[alias] = ours
			if !slices.Contains(doc.ACRValues, ours) {
				t.Errorf("%s: alias %s maps to %s, which discovery does not advertise", id, alias, ours)
			}
		}
	}
	for alias, want := range map[string]string{
		"urn:grn:authn:se:bankid:another-device:qr": "urn:portvakt:eid:se:bankid:other-device",
		"urn:grn:authn:no:bankid:biometric":         "urn:portvakt:eid:no:bankid:substantial",
		"urn:grn:authn:fi:mobile-id":                "urn:portvakt:eid:fi:ftn",
		"urn:grn:authn:dk:mitid:low":                "urn:portvakt:eid:dk:mitid",
		"urn:grn:authn:dk:mitid:high":               "urn:portvakt:eid:dk:mitid:high",
	} {
		if aliases[alias] != want {
			t.Errorf("alias %s maps to %q, want %s", alias, aliases[alias], want)
		}
	}
}
