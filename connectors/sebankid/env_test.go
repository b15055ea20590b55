package sebankid_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

// clock is a manual clock shared by the simulator and the connector.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)} }

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
	srv   *httptest.Server
	clock *clock
	conn  *sebankid.Connector
	cfg   *sebankid.Config
}

// newEnv starts a simulator over real mutual TLS and a connector configured as in
// production, but for the base URL and the trust material the simulator issued.
func newEnv(t *testing.T, opts sim.Options, configure ...func(*sebankid.Config)) *env {
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
	cfg := &sebankid.Config{
		BaseURL: srv.URL + sim.APIPath,
		CAPEM:   string(s.CAPEM()),
		CertPEM: string(certPEM),
		KeyPEM:  string(keyPEM),
		// Signatures are checked against the simulator's signing root.
		SigningRootsPEM: string(s.SigningRootPEM()),
		Now:             clk.Now,
	}
	for _, f := range configure {
		f(cfg)
	}
	return &env{sim: s, srv: srv, clock: clk, cfg: cfg, conn: openConnector(t, cfg)}
}

func openConnector(t *testing.T, cfg *sebankid.Config) *sebankid.Connector {
	t.Helper()
	c, err := cfg.Open(context.Background(), "se-bankid", connectors.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return c.(*sebankid.Connector)
}

func loginRequest(method string) connectors.Request {
	return connectors.Request{
		ID:        "auth-request-1",
		Method:    method,
		MinLoA:    connectors.LoASubstantial,
		UILocale:  "sv",
		EndUserIP: "203.0.113.7",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0",
		ReturnURL: "https://login.example.test/bankid/return?id=auth-request-1",
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
