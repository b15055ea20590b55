package broker_test

import (
	"context"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
)

// frontDoor is the broker's public address in these tests. It serves the eID
// simulators' pages itself and hands every other request to the broker processes
// behind it, taking turns per request as a round-robin load balancer does.
type frontDoor struct {
	url  string
	sims *devmode.Simulators
	logs *testenv.SyncBuffer

	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	// down are the backends a health check took out of rotation.
	down   map[int]bool
	next   int
	served []servedBy
}

// servedBy records which backend answered a request.
type servedBy struct {
	path    string
	backend int
}

func startFrontDoor(t *testing.T, autoApprove bool) *frontDoor {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &frontDoor{url: "http://" + ln.Addr().String(), logs: &testenv.SyncBuffer{}}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("broker logs:\n%s", f.logs.String())
		}
	})
	if f.sims, err = devmode.StartSimulators(t.Context(), f.url, autoApprove, f.logger()); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	f.sims.Mount(mux)
	mux.Handle("/", http.HandlerFunc(f.pass))
	srv := httptest.NewUnstartedServer(mux)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return f
}

func (f *frontDoor) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// add puts a broker process behind the front door.
func (f *frontDoor) add(backend string) {
	target, err := url.Parse(backend)
	if err != nil {
		panic(err)
	}
	p := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backends = append(f.backends, p)
}

func (f *frontDoor) pass(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	if len(f.backends) == 0 {
		f.mu.Unlock()
		http.Error(w, "no broker yet", http.StatusServiceUnavailable)
		return
	}
	i := f.next % len(f.backends)
	for tries := 1; f.down[i] && tries < len(f.backends); tries++ {
		f.next++
		i = f.next % len(f.backends)
	}
	f.next++
	f.served = append(f.served, servedBy{path: r.URL.Path, backend: i})
	p := f.backends[i]
	f.mu.Unlock()
	p.ServeHTTP(w, r)
}

// setDown takes backend i out of rotation, or puts it back, as a load
// balancer's health check does.
func (f *frontDoor) setDown(i int, down bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down == nil {
		f.down = map[int]bool{}
	}
	f.down[i] = down
}

// servedSince returns what the backends served after the first n requests.
func (f *frontDoor) servedSince(n int) []servedBy {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.served[n:])
}

func (f *frontDoor) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.served)
}

// config is a broker configuration behind this front door: its issuer, the
// simulators as eIDs, the test relying party.
func (f *frontDoor) config(t *testing.T, dsn, masterKey string) *config.Config {
	t.Helper()
	cfg := &config.Config{
		Issuer: f.url, MasterKey: masterKey,
		Storage: config.Storage{Driver: "mysql", DSN: dsn},
		Clients: []config.Client{rpClient()},
	}
	for _, c := range f.sims.ConnectorConfigs() {
		if c.ID == "se-bankid" || c.ID == "dk-mitid" {
			cfg.Connectors = append(cfg.Connectors, c)
		}
	}
	cfg.ApplyDefaults()
	return cfg
}

func newMasterKey(t *testing.T) string {
	t.Helper()
	k, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// replica is one broker process, in this test process, on its own address.
type replica struct {
	broker *broker.Broker
	url    string
	// serverErrors collects what net/http logs, such as recovered panics.
	serverErrors *testenv.SyncBuffer
}

// startReplica builds a broker from cfg, registers it at the MitID simulator, runs its
// background work and serves it on a loopback address of its own.
func (f *frontDoor) startReplica(t *testing.T, cfg *config.Config) *replica {
	t.Helper()
	if problems := cfg.Validate(); len(problems) > 0 {
		t.Fatal(problems.Err())
	}
	b, err := broker.Build(t.Context(), cfg, f.logger(), f.sims.Wrap)
	if err != nil {
		t.Fatal(err)
	}
	testenv.CloseAtEnd(t, b.Store)
	if _, err := f.sims.RegisterUpstreamClient("dk-mitid", cfg.Issuer+"/callback/dk-mitid", ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	b.Background(ctx)
	r := &replica{broker: b, serverErrors: &testenv.SyncBuffer{}}
	srv := httptest.NewUnstartedServer(b.Provider.Handler())
	srv.Config.ErrorLog = log.New(r.serverErrors, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}
