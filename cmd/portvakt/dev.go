package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/portvakt/portvakt/demo"
	"github.com/portvakt/portvakt/internal/logging"
	"github.com/portvakt/portvakt/provider/config"
	"github.com/portvakt/portvakt/provider/keys"
)

// devOptions are the flags of `portvakt dev`.
type devOptions struct {
	addr, issuer, data  string
	dbDriver, dsn       string
	autoApprove         bool
	logLevel, logFormat string
	extraRedirects      multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o devOptions
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.issuer, "issuer", "", "issuer URL (default http://<addr>, with 127.0.0.1 for an unspecified host)")
	fs.StringVar(&o.data, "data", ".portvakt-dev", "directory for the database and master key, kept across restarts")
	fs.StringVar(&o.dbDriver, "db-driver", "sqlite", "sqlite, or mysql with --dsn")
	fs.StringVar(&o.dsn, "dsn", "", "database DSN (default: a SQLite file in --data)")
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "simulators approve at once, as the login_hint=sub:<id> person or a default test user")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "text", "text or json")
	fs.Var(&o.extraRedirects, "redirect-uri", "another redirect URI for the demo client (repeatable), e.g. http://localhost:3000/callback")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := logging.New(stderr, o.logLevel, o.logFormat)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	if o.issuer == "" {
		o.issuer = issuerFor(ln.Addr().(*net.TCPAddr), o.addr)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	root := &swappable{}
	served := make(chan error, 1)
	go func() { served <- serveHTTP(ctx, ln, root, logger) }()
	env, err := startDev(ctx, o, logger, root)
	if err != nil {
		cancel()
		<-served
		return err
	}
	defer env.app.store.Close()
	env.app.background(ctx)
	fmt.Fprintf(stdout, "\nportvakt dev is running\n  issuer:     %s\n  demo app:   %s/demo\n  client:     demo / demo-secret\n  simulators: %s/sim/\n  data:       %s\n\n",
		o.issuer, o.issuer, o.issuer, o.data)
	return <-served
}

// swappable serves the simulators while the broker starts, then everything.
type swappable struct{ h atomic.Pointer[http.Handler] }

func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	http.Error(w, "portvakt is starting", http.StatusServiceUnavailable)
}

func (s *swappable) set(h http.Handler) { s.h.Store(&h) }

// issuerFor turns the listen address into a URL a browser on this machine reaches.
func issuerFor(bound *net.TCPAddr, asked string) string {
	host, _, _ := net.SplitHostPort(asked)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(bound.Port))
}

// devEnv is a running dev mode: the broker, the simulators and the demo app.
type devEnv struct {
	app  *app
	sims *simulators
}

// startDev builds dev mode behind root. The simulators are served first, because
// the connectors read their discovery documents when they open.
func startDev(ctx context.Context, o devOptions, logger *slog.Logger, root *swappable) (*devEnv, error) {
	if err := os.MkdirAll(o.data, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	masterKey, err := devMasterKey(filepath.Join(o.data, "master.key"))
	if err != nil {
		return nil, err
	}
	sims, err := startSimulators(ctx, o.issuer, o.autoApprove, logger)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	sims.mount(mux)
	root.set(mux)

	cfg, err := devConfig(o, masterKey, sims)
	if err != nil {
		return nil, err
	}
	a, err := buildApp(ctx, cfg, logger, sims.wrap)
	if err != nil {
		return nil, err
	}
	if err := sims.registerBroker(a); err != nil {
		a.store.Close()
		return nil, err
	}
	demoApp := demo.New(demo.Options{
		Issuer: o.issuer, ClientID: "demo", ClientSecret: "demo-secret", Base: o.issuer + "/demo",
		Themes: a.themes, Logger: logger, Choices: demoChoices(),
	})
	mux.Handle("/demo", demoApp.Handler())
	mux.Handle("/demo/", demoApp.Handler())
	mux.Handle("/", a.provider.Handler())
	return &devEnv{app: a, sims: sims}, nil
}

// devMasterKey reads the dev master key, making one on first start.
func devMasterKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read master key: %w", err)
	}
	k, err := keys.GenerateMasterKey()
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(k+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write master key: %w", err)
	}
	return k, nil
}

// devConfig is dev mode's configuration: what a production file would hold, with
// the simulators as the eIDs.
func devConfig(o devOptions, masterKey string, sims *simulators) (*config.Config, error) {
	dsn := o.dsn
	if o.dbDriver == "sqlite" && dsn == "" {
		dsn = filepath.Join(o.data, "portvakt.db")
	}
	cfg := &config.Config{
		Issuer: o.issuer, Listen: o.addr, MasterKey: masterKey,
		Storage:    config.Storage{Driver: o.dbDriver, DSN: dsn},
		Keys:       config.Keys{Algorithms: []string{"RS256", "ES256", "PS256", "EdDSA"}},
		Login:      config.Login{SessionLifetime: config.Duration(time.Hour)},
		Log:        config.Log{Level: o.logLevel, Format: o.logFormat},
		Connectors: sims.connectorConfigs(),
		Clients: []config.Client{{
			ID: "demo", Name: "Demo app", Secret: "demo-secret",
			Purpose:                "Shows what a relying party receives from portvakt.",
			RedirectURIs:           append([]string{o.issuer + "/demo/callback"}, o.extraRedirects...),
			PostLogoutRedirectURIs: []string{o.issuer + "/demo"},
			Scopes:                 []string{"national_id", "evidence"},
			Theme:                  config.Theme{DisplayName: "Demo app"},
		}},
	}
	cfg.ApplyDefaults()
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, problems.Err()
	}
	return cfg, nil
}

// demoChoices are the demo app's login buttons.
func demoChoices() []demo.Choice {
	return []demo.Choice{
		{Label: "BankID (Sweden)", ACRValues: "urn:portvakt:eid:se:bankid"},
		{Label: "BankID (Norway)", ACRValues: "urn:portvakt:eid:no:bankid"},
		{Label: "Finnish Trust Network", ACRValues: "urn:portvakt:eid:fi:ftn"},
		{Label: "MitID (Denmark)", ACRValues: "urn:portvakt:eid:dk:mitid"},
		{Label: "Let me choose", ACRValues: ""},
	}
}
