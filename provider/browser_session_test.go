package provider_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/provider"
)

const otherPerson = "198507099805"

// cookieValue is the value of the named cookie the jar holds for the broker.
func cookieValue(t *testing.T, b *broker, c *http.Client, name string) string {
	t.Helper()
	u, _ := url.Parse(b.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

func plantCookie(b *broker, c *http.Client, name, value string) {
	u, _ := url.Parse(b.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

func sha256Hex(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

func silentLogin(t *testing.T, b *broker, c *http.Client) url.Values {
	t.Helper()
	return b.authorize(t, c, url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}, "prompt": {"none"}}).Query()
}

// A session token the attacker knows (planted in the victim's browser) must not
// carry the victim's login: every finished login gets a fresh token.
func TestSessionTokenRenewedAtLogin(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	attacker := browser(t)
	rp1.login(t, b, attacker, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "login_hint": {"sub:" + otherPerson}})
	planted := cookieValue(t, b, attacker, "pv_session")
	if planted == "" {
		t.Fatal("no session cookie after a login")
	}

	victim := browser(t)
	plantCookie(b, victim, "pv_session", planted)
	mine := rp1.login(t, b, victim, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "prompt": {"login"}})
	if got := cookieValue(t, b, victim, "pv_session"); got == planted || got == "" {
		t.Errorf("session token after login is %q, the planted one was %q: want a new token", got, planted)
	}
	if got := silentLogin(t, b, attacker); got.Get("code") != "" {
		if _, idt := rp1.redeem(t, got.Get("code")); idt.Subject == mine.idToken.Subject {
			t.Fatal("the attacker's planted session token logged in silently as the victim")
		}
	}
}

// Every login renews the token, not only the first: a second login in the same
// browser gets another one.
func TestSessionTokenChangesAtEveryLogin(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	first := cookieValue(t, b, c, "pv_session")
	rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "prompt": {"login"}})
	if second := cookieValue(t, b, c, "pv_session"); second == first {
		t.Errorf("session token %q kept across a second login", first)
	}
}

// A browser binding value the broker did not issue is treated as absent: the
// broker replaces it, and the planted value cannot continue the login.
func TestPlantedBrowserCookieIsReplaced(t *testing.T) {
	b := newBroker(t)
	const planted = "attacker-chosen-binding-0123456789"
	for _, value := range []string{planted, "AAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		victim := browser(t)
		plantCookie(b, victim, "pv_browser", value)
		q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
			"code_challenge": {s256("verifier-0123456789012345678901234567890123")}, "code_challenge_method": {"S256"}}
		noFollow := &http.Client{Jar: victim.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := noFollow.Get(b.URL + "/authorize?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loginURL := resp.Header.Get("Location")
		if !strings.HasPrefix(loginURL, "/login/") {
			t.Fatalf("authorize went to %q, want the login page", loginURL)
		}
		if got := cookieValue(t, b, victim, "pv_browser"); got == value {
			t.Errorf("planted binding %q kept", value)
		}

		// The attacker holds only the planted value: it must not continue the login.
		attacker := &http.Client{CheckRedirect: noFollow.CheckRedirect}
		req, _ := http.NewRequest(http.MethodGet, b.URL+loginURL, nil)
		req.AddCookie(&http.Cookie{Name: "pv_browser", Value: value})
		resp, err = attacker.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("login continued with the planted binding: status %d", resp.StatusCode)
		}

		// The victim, with the value the broker issued, goes on.
		resp, err = noFollow.Get(b.URL + loginURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusForbidden {
			t.Errorf("the victim's own login refused: status %d", resp.StatusCode)
		}
	}
}

// A session row copied under another token (a database writer moving a victim's
// session to a token they hold) does not open.
func TestSessionRowCopiedToAnotherTokenDoesNotOpen(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	victim := browser(t)
	rp1.login(t, b, victim, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	token := cookieValue(t, b, victim, "pv_session")
	ctx := context.Background()
	sealed, found, err := b.store.FindSession(ctx, sha256Hex(token))
	if err != nil || !found {
		t.Fatalf("victim's session row: found %v, %v", found, err)
	}
	const attackerToken = "attackers-own-session-token-0123456789abcdef"
	if err := b.store.CommitSession(ctx, sha256Hex(attackerToken), sealed, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	attacker := browser(t)
	plantCookie(b, attacker, "pv_session", attackerToken)
	if got := silentLogin(t, b, attacker); got.Get("error") != "login_required" {
		t.Errorf("a copied session row opened under another token: %v", got)
	}
	if got := silentLogin(t, b, victim); got.Get("code") == "" {
		t.Errorf("the victim's own session no longer opens: %v", got)
	}
}

// Under an https issuer every cookie the broker sets has the __Host- prefix and
// is Secure, host-only and for the whole path; under plain http (dev mode) the
// names stay plain, since browsers refuse __Host- cookies without Secure.
func TestCookieNamesAndFlags(t *testing.T) {
	for _, tc := range []struct {
		issuer string
		secure bool
		prefix string
	}{
		{"https://login.example", true, "__Host-"},
		{"", false, ""},
	} {
		t.Run(tc.prefix+"issuer "+tc.issuer, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			issuer := tc.issuer
			if issuer == "" {
				issuer = "http://" + ln.Addr().String()
			}
			cfg := &config.Config{
				Issuer: issuer, Keys: config.Keys{Algorithms: []string{"RS256", "ES256"}},
				Login:      config.Login{SessionLifetime: config.Duration(time.Hour)},
				Clients:    testClients(),
				Connectors: []config.Connector{{ID: "se-test", Type: "test"}},
			}
			built := brokertest.NewProvider(t, cfg, provider.Options{Secure: tc.secure,
				Connectors: []connectors.Connector{&testConnector{id: "se-test", country: "SE", loa: connectors.LoASubstantial}}})
			hs := httptest.NewUnstartedServer(built.Server.Handler())
			hs.Listener.Close()
			hs.Listener = ln
			hs.Start()
			t.Cleanup(hs.Close)

			// The client keeps every cookie whatever its flags, as a browser on
			// https would, and records what was set.
			set := map[string]*http.Cookie{}
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			var cookies []*http.Cookie
			get := func(path string) *http.Response {
				req, _ := http.NewRequest(http.MethodGet, hs.URL+path, nil)
				for _, ck := range cookies {
					req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				for _, ck := range resp.Cookies() {
					set[ck.Name] = ck
					cookies = append(cookies, ck)
				}
				return resp
			}
			q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
				"code_challenge": {s256("verifier-0123456789012345678901234567890123")}, "code_challenge_method": {"S256"},
				"acr_values": {"urn:portvakt:eid:se:test"}}
			loc := get("/authorize?" + q.Encode()).Header.Get("Location")
			for i := 0; i < 5 && loc != "" && !strings.HasPrefix(loc, rpRedirect); i++ {
				u, _ := url.Parse(loc)
				loc = get(u.RequestURI()).Header.Get("Location")
			}
			if !strings.HasPrefix(loc, rpRedirect) {
				t.Fatalf("login did not reach the client: %q", loc)
			}
			get("/logged-out?lang=sv")

			for _, name := range []string{"pv_session", "pv_browser", "pv_lang"} {
				ck, ok := set[tc.prefix+name]
				if !ok {
					var names []string
					for n := range set {
						names = append(names, n)
					}
					t.Errorf("no cookie %s%s set (got %v)", tc.prefix, name, names)
					continue
				}
				if ck.Secure != tc.secure || ck.Path != "/" || ck.Domain != "" || !ck.HttpOnly {
					t.Errorf("%s: Secure=%v Path=%q Domain=%q HttpOnly=%v", ck.Name, ck.Secure, ck.Path, ck.Domain, ck.HttpOnly)
				}
			}
		})
	}
}
