package freja_test

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
)

// clock is a manual clock shared by the simulator and the connector.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 17, 10, 4, 31, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	sim   *sim.Simulator
	clock *clock
	conn  *freja.Connector
	cfg   *freja.Config
}

const testAppURL = "https://app.test.frejaeid.com/freja"

// newEnv starts a simulator over real mutual TLS and a connector configured as
// in production, but for the base URL and the trust material the simulator
// issued.
func newEnv(t *testing.T, opts sim.Options, configure ...func(*freja.Config)) *env {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	s, err := sim.New(opts)
	if err != nil {
		t.Fatalf("sim.New: %v", err)
	}
	srv := httptest.NewUnstartedServer(s.APIHandler())
	srv.TLS = s.ServerTLSConfig()
	// Refused handshakes are expected in some tests; keep them out of the output.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	certPEM, keyPEM, err := s.IssueClientCert("Test relying party")
	if err != nil {
		t.Fatalf("IssueClientCert: %v", err)
	}
	cfg := &freja.Config{
		Environment: "test",
		BaseURL:     srv.URL,
		CAPEM:       string(s.CAPEM()),
		CertPEM:     string(certPEM),
		KeyPEM:      string(keyPEM),
		JWSCertPEM:  string(s.JWSCertPEM()),
		Now:         clk.Now,
	}
	for _, f := range configure {
		f(cfg)
	}
	return &env{sim: s, clock: clk, cfg: cfg, conn: openConnector(t, cfg)}
}

func openConnector(t *testing.T, cfg *freja.Config) *freja.Connector {
	t.Helper()
	c, err := cfg.Open(context.Background(), "freja", connectors.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return c.(*freja.Connector)
}

func loginRequest(method string, level connectors.LoA) connectors.Request {
	return connectors.Request{
		ID:        "auth-request-1",
		Method:    method,
		MinLoA:    level,
		UILocale:  "sv",
		EndUserIP: "203.0.113.7",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
		ReturnURL: "https://login.example.test/login/auth-request-1",
	}
}

func (e *env) start(t *testing.T, req connectors.Request) *connectors.Order {
	t.Helper()
	order, err := e.conn.Start(context.Background(), req)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return order
}

func (e *env) poll(t *testing.T, order *connectors.Order) (connectors.Progress, error) {
	t.Helper()
	return e.conn.Poll(context.Background(), order)
}

// assertFailed checks a final poll: failed with the message and the sentinel.
func assertFailed(t *testing.T, p connectors.Progress, err error, message string, sentinel error) {
	t.Helper()
	if p.Status != connectors.StatusFailed || p.Message != message {
		t.Errorf("progress = %+v, want failed with %s", p, message)
	}
	var ue *connectors.UserError
	if !errors.As(err, &ue) || ue.Message != message || !errors.Is(err, sentinel) {
		t.Errorf("err = %v, want a UserError %s wrapping %v", err, message, sentinel)
	}
}

// user finds the simulator's test user of a country and level.
func user(t *testing.T, country, level string) sim.TestUser {
	t.Helper()
	for _, u := range sim.TestUsers() {
		if u.Country == country && u.Level == level {
			return u
		}
	}
	t.Fatalf("no %s test user at %s", country, level)
	return sim.TestUser{}
}
