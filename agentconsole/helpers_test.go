package agentconsole_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/fakeciba"
)

// env is dev mode (its simulators approve at once) with the agent console's
// CIBA requests going to a stand-in.
type env struct {
	issuer string
	dev    *devmode.Env
	ciba   *fakeciba.Server
}

func start(t *testing.T, callers ...fakeciba.Person) *env {
	t.Helper()
	fake := fakeciba.Start(t, broker.AgentConsoleClientID, callers...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	dev, err := devmode.Start(ctx, ln, devmode.Options{Data: t.TempDir(), AutoApprove: true, AgentCIBAIssuer: fake.URL,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = dev.Wait() })
	return &env{issuer: dev.Issuer, dev: dev, ciba: fake}
}

// agent is a browser signed in to a console.
type agent struct {
	c         *http.Client
	userAgent string
	csrf      string
	issuer    string
}

func newBrowser(userAgent string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 15 * time.Second, Transport: uaTransport(userAgent),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type uaTransport string

func (ua uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", string(ua))
	return http.DefaultTransport.RoundTrip(r)
}

var (
	formAction  = regexp.MustCompile(`<form class="pv-options" method="post" action="([^"]+)"`)
	csrfField   = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	optionValue = regexp.MustCompile(`name="option" value="([^"]+)"`)
	csrfMeta    = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
)

// signIn runs a console's sign-in (console is "/agent" or "/admin") with the
// simulated eID, which approves as its first test person, and returns the
// browser at the console.
func signIn(t *testing.T, e *env, console, eid string) *agent {
	t.Helper()
	a := &agent{c: newBrowser("agent-browser/1"), userAgent: "agent-browser/1", issuer: e.issuer}
	next, _ := url.Parse(e.issuer + console + "/login")
	for range 20 {
		resp, err := a.c.Get(next.String())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && formAction.Match(body) {
			action, csrf := formAction.FindSubmatch(body), csrfField.FindSubmatch(body)
			option := ""
			for _, m := range optionValue.FindAllSubmatch(body, -1) {
				if v := string(m[1]); option == "" && strings.HasPrefix(v, eid) {
					option = v
				}
			}
			if csrf == nil || option == "" {
				t.Fatalf("login page without a form or %s:\n%s", eid, body)
			}
			target, _ := next.Parse(html.UnescapeString(string(action[1])))
			resp, err := a.c.PostForm(target.String(), url.Values{"option": {option}, "csrf_token": {string(csrf[1])}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			next, _ = target.Parse(resp.Header.Get("Location"))
			continue
		}
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			if next.String() == e.issuer+console+"/" {
				if m := csrfMeta.FindSubmatch(body); m != nil {
					a.csrf = string(m[1])
				}
				return a
			}
			t.Fatalf("sign-in stopped at %s with %d:\n%s", next, resp.StatusCode, body)
		}
		next, _ = next.Parse(resp.Header.Get("Location"))
	}
	t.Fatal("sign-in did not end after 20 steps")
	return nil
}

// call sends JSON to the console's API with the session's CSRF token.
func (a *agent) call(t *testing.T, path string, in, out any) int {
	t.Helper()
	return a.callWith(t, path, in, out, a.csrf)
}

func (a *agent) callWith(t *testing.T, path string, in, out any, csrf string) int {
	t.Helper()
	b, _ := json.Marshal(in)
	req, _ := http.NewRequest(http.MethodPost, a.issuer+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := a.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", path, resp.Header.Get("Cache-Control"))
	}
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// get fetches a console page.
func (a *agent) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := a.c.Get(a.issuer + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
