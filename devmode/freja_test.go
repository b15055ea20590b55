package devmode

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	frejasim "github.com/portvakt/portvakt/connectors/freja/sim"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// frejaPerson is the Freja simulator's test person of a country and level.
func frejaPerson(t *testing.T, country, level string) frejasim.TestUser {
	t.Helper()
	for _, u := range frejasim.TestUsers() {
		if u.Country == country && u.Level == level {
			return u
		}
	}
	t.Fatalf("no Freja test person of %s at %s", country, level)
	return frejasim.TestUser{}
}

// frejaClient registers a client as the admin API does and returns its OAuth
// configuration against dev mode.
func frejaClient(t *testing.T, d *devServer, c config.Client) oauth2.Config {
	t.Helper()
	redirect := d.issuer + "/demo/callback"
	c.Secret, c.RedirectURIs, c.Scopes = c.ID+"-secret-0123456789abcdef", []string{redirect}, []string{"national_id"}
	secret := c.Secret
	c.ApplyDefaults()
	c.SecretHash, c.Secret = provider.HashSecret(c.Secret), ""
	doc, err := provider.EncodeClient(c)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := d.env.Broker.Store.CreateClient(context.Background(), storage.Client{ID: c.ID, Source: "api", Settings: doc, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	return oauth2.Config{ClientID: c.ID, ClientSecret: secret, RedirectURL: redirect,
		Endpoint: oauth2.Endpoint{AuthURL: d.issuer + "/authorize", TokenURL: d.issuer + "/oauth/token"},
		Scopes:   []string{"openid", "profile", "national_id"}}
}

// frejaLogin runs a login with Freja's QR code (the simulator approving at
// once) for the hinted person, if any, and returns the ID token's claims, or
// the error the client got, or "page: <the page>" when the login stopped at a
// page for the person (an eID failure they may retry or leave).
func frejaLogin(t *testing.T, d *devServer, cfg oauth2.Config, hint string) (map[string]any, string) {
	t.Helper()
	return frejaLoginIn(t, noFollow(t), cfg, freja.MethodOtherDeviceURN, hint)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// frejaLoginIn is frejaLogin in a given browser, with the acr_values given.
func frejaLoginIn(t *testing.T, c *http.Client, cfg oauth2.Config, acr, hint string) (map[string]any, string) {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("acr_values", acr)}
	if hint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", "sub:"+hint))
	}
	next := cfg.AuthCodeURL("st", opts...)
	chose := false
	for hop := 0; hop < 20; hop++ {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			// The login page: choose Freja's QR code, as the person would,
			// unless it reports a failure.
			csrf := csrfField.FindStringSubmatch(string(body))
			if csrf == nil || chose || strings.Contains(string(body), "pv-alert-error") || !strings.Contains(string(body), `value="freja/other-device"`) {
				return nil, "page: " + string(body)
			}
			chose = true
			resp, err = c.PostForm(resp.Request.URL.String(), url.Values{"csrf_token": {csrf[1]}, "option": {"freja/other-device"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil || loc.String() == "" {
			t.Fatalf("hop %d, %s: status %d without a redirect", hop, next, resp.StatusCode)
		}
		if !strings.HasPrefix(loc.String(), cfg.RedirectURL) {
			next = loc.String()
			continue
		}
		got := loc.Query()
		if got.Get("code") == "" {
			return nil, got.Get("error")
		}
		tok, err := cfg.Exchange(context.Background(), got.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		return idTokenClaims(t, tok), ""
	}
	t.Fatal("no answer to the client after 20 hops")
	return nil, ""
}

// A client that requires substantial asks Freja for PLUS and never gets an
// identity below it, even when Freja answers with an EXTENDED one.
func TestFrejaSubstantialClientNeverGetsExtended(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	cfg := frejaClient(t, d, config.Client{ID: "bank", Name: "Bank", EIDs: []string{"freja"}, MinLoA: connectors.LoASubstantial, LoginHintPush: true})
	sim := d.env.Simulators.Freja

	plus := frejaPerson(t, "SE", freja.LevelPlus)
	claims, oidcErr := frejaLogin(t, d, cfg, plus.SSN)
	if oidcErr != "" || claims["acr"] != "http://eidas.europa.eu/LoA/substantial" || claims["idp_acr"] != freja.LevelPlus || claims["idp"] != "freja" {
		t.Errorf("a PLUS person: claims %v, error %q; want substantial", claims, oidcErr)
	}

	// An EXTENDED person cannot confirm a PLUS transaction in the app: they
	// decline, and the login page says so.
	extended := frejaPerson(t, "SE", freja.LevelExtended)
	if claims, page := frejaLogin(t, d, cfg, extended.SSN); !strings.Contains(page, "You declined in the Freja app.") {
		t.Errorf("an EXTENDED person: claims %v, answer %.200q; want the login page saying they declined", claims, page)
	}
	// Freja approving one anyway does not get through either: the person reads
	// that their Freja eID does not reach the level.
	sim.Script(frejasim.PersonKey(extended), freja.StatusApproved)
	if claims, page := frejaLogin(t, d, cfg, extended.SSN); claims != nil || !strings.Contains(page, "Upgrade to Freja eID Plus") {
		t.Errorf("an EXTENDED approval: claims %v, answer %.200q; want the login page naming the level", claims, page)
	}
	for _, r := range sim.RequestsTo(freja.PathInitAuth) {
		var p struct{ MinRegistrationLevel string }
		if err := json.Unmarshal(r.Payload, &p); err != nil || p.MinRegistrationLevel != freja.LevelPlus {
			t.Errorf("initAuthentication asked for %q, want PLUS", p.MinRegistrationLevel)
		}
	}
}

// A client of one country gets only that country's people from an eID of
// several, and a login per country gives each its own country and number.
func TestFrejaPeopleOfTheClientsCountries(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	norwegian := frejaClient(t, d, config.Client{ID: "oslo", Name: "Oslo", Countries: []string{"NO"}, LoginHintPush: true})
	if claims, oidcErr := frejaLogin(t, d, norwegian, ""); oidcErr != "unmet_authentication_requirements" {
		t.Errorf("a Swede by QR code: claims %v, error %q; want unmet_authentication_requirements", claims, oidcErr)
	}
	if claims, oidcErr := frejaLogin(t, d, norwegian, frejaPerson(t, "SE", freja.LevelPlus).SSN); oidcErr != "unmet_authentication_requirements" {
		t.Errorf("a hinted Swede: claims %v, error %q; want unmet_authentication_requirements", claims, oidcErr)
	}

	every := frejaClient(t, d, config.Client{ID: "nordic", Name: "Nordic", EIDs: []string{"freja"}, LoginHintPush: true})
	for _, tc := range []struct{ country, level, acr string }{
		{"SE", freja.LevelPlus, "http://eidas.europa.eu/LoA/substantial"},
		{"NO", freja.LevelExtended, "http://eidas.europa.eu/LoA/low"},
		{"DK", freja.LevelExtended, "http://eidas.europa.eu/LoA/low"},
		{"FI", freja.LevelExtended, "http://eidas.europa.eu/LoA/low"},
	} {
		u := frejaPerson(t, tc.country, tc.level)
		for _, cfg := range []oauth2.Config{every, norwegian} {
			claims, oidcErr := frejaLogin(t, d, cfg, u.SSN)
			if cfg.ClientID == "oslo" && tc.country != "NO" {
				if oidcErr == "" {
					t.Errorf("%s: the Norwegian client got a %s person", cfg.ClientID, tc.country)
				}
				continue
			}
			if oidcErr != "" || claims["country"] != tc.country || claims["national_id"] != u.SSN || claims["acr"] != tc.acr || claims["idp"] != "freja" || claims["family_name"] != u.Surname {
				t.Errorf("%s, %s person: claims %v, error %q", cfg.ClientID, tc.country, claims, oidcErr)
			}
		}
	}
}

// A browser's single sign-on login with Freja answers a later request only if
// that request accepts the person's country.
func TestFrejaSingleSignOnKeepsToTheCountry(t *testing.T) {
	d := startDevServer(t, t.TempDir(), true)
	cfg := frejaClient(t, d, config.Client{ID: "nordic", Name: "Nordic", EIDs: []string{"freja"}, LoginHintPush: true})
	browser := noFollow(t)
	swede := frejaPerson(t, "SE", freja.LevelPlus)
	if claims, oidcErr := frejaLoginIn(t, browser, cfg, "urn:portvakt:eid:freja", swede.SSN); oidcErr != "" || claims["country"] != "SE" {
		t.Fatalf("first login: claims %v, error %q", claims, oidcErr)
	}
	started := len(d.env.Simulators.Freja.RequestsTo(freja.PathInitAuth))
	if claims, oidcErr := frejaLoginIn(t, browser, cfg, "urn:portvakt:eid:se:freja", ""); oidcErr != "" || claims["national_id"] != swede.SSN {
		t.Errorf("a Swedish request in the same browser: claims %v, error %q; want the Swede again", claims, oidcErr)
	}
	if now := len(d.env.Simulators.Freja.RequestsTo(freja.PathInitAuth)); now != started {
		t.Errorf("a Swedish request started %d Freja transactions, want the single sign-on login reused", now-started)
	}
	// A Norwegian request does not take the Swede from single sign-on: Freja is
	// asked again, and the simulator's default person, a Swede, is refused.
	claims, oidcErr := frejaLoginIn(t, browser, cfg, "urn:portvakt:eid:no:freja", "")
	if oidcErr != "unmet_authentication_requirements" {
		t.Errorf("a Norwegian request in the same browser: claims %v, error %q; want unmet_authentication_requirements", claims, oidcErr)
	}
	if now := len(d.env.Simulators.Freja.RequestsTo(freja.PathInitAuth)); now != started+1 {
		t.Errorf("a Norwegian request started %d Freja transactions, want 1", now-started)
	}
}

// A login pushed to the hinted person's app shows neither a QR code nor an
// app button: the page says the request waits in the app.
// TestFrejaPushedLoginPage: a login that names the person is pushed to their
// app only for a client that allows it (login_hint_push for a personal number,
// login_hint_email for an e-mail address); for any other client the hint only
// preselects the person and the page shows the QR code or the app button.
func TestFrejaPushedLoginPage(t *testing.T) {
	d := startDevServer(t, t.TempDir(), false)
	pushing := frejaClient(t, d, config.Client{ID: "nordic", Name: "Nordic", EIDs: []string{"freja"}, LoginHintPush: true, LoginHintEmail: true})
	plain := frejaClient(t, d, config.Client{ID: "plain", Name: "Plain", EIDs: []string{"freja"}})
	// One person each: a second transaction for a person would cancel both.
	for _, tc := range []struct {
		name   string
		cfg    oauth2.Config
		acr    string
		hint   string
		pushed bool
	}{
		{"personal number, client allows push, other device", pushing, freja.MethodOtherDeviceURN, "sub:" + frejaPerson(t, "DK", freja.LevelExtended).SSN, true},
		{"personal number, client allows push, same device", pushing, freja.MethodSameDeviceURN, "sub:" + frejaPerson(t, "FI", freja.LevelExtended).SSN, true},
		{"e-mail address, client allows it", pushing, freja.MethodOtherDeviceURN, "email:" + frejaPerson(t, "NO", freja.LevelExtended).Email, true},
		{"personal number, client without push", plain, freja.MethodOtherDeviceURN, "sub:" + frejaPerson(t, "SE", freja.LevelExtended).SSN, false},
		{"e-mail address, client without it", plain, freja.MethodOtherDeviceURN, "email:" + frejaPerson(t, "SE", freja.LevelPlus).Email, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := frejaOrderPage(t, tc.cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
				oauth2.SetAuthURLParam("acr_values", tc.acr), oauth2.SetAuthURLParam("login_hint", tc.hint)))
			waits := strings.Contains(page, "Open the Freja eID app on your phone: the request is waiting there.")
			if waits != tc.pushed {
				t.Errorf("the order page says the request waits in the app: %v, want %v: %.300s", waits, tc.pushed, page)
			}
			if !tc.pushed {
				return
			}
			for _, wrong := range []string{`id="pv-qr"`, "scan the QR code", "pv-launch", "data-awaiting-launch"} {
				if strings.Contains(page, wrong) {
					t.Errorf("the order page of a pushed login has %q", wrong)
				}
			}
		})
	}
}

// frejaOrderPage follows the login's redirects to the page the browser shows.
func frejaOrderPage(t *testing.T, next string) string {
	t.Helper()
	c := noFollow(t)
	for range 5 {
		resp, err := c.Get(next)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return string(body)
		}
		loc, _ := resp.Request.URL.Parse(resp.Header.Get("Location"))
		next = loc.String()
	}
	t.Fatalf("no page after five redirects from %s", next)
	return ""
}
