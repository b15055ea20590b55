package agentconsole_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/consoletest"
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

func newBrowser(userAgent string) *http.Client { return consoletest.Browser(userAgent) }

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// signIn signs a browser in to a console with the simulated eID.
func signIn(t *testing.T, e *env, console, eid string) *agent {
	t.Helper()
	a := &agent{c: newBrowser("agent-browser/1"), userAgent: "agent-browser/1", issuer: e.issuer}
	body := consoletest.SignIn(t, a.c, e.issuer, console, eid)
	if m := csrfMeta.FindStringSubmatch(body); m != nil {
		a.csrf = m[1]
	}
	return a
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
