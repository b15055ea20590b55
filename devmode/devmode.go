package devmode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/demo"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/provider"
)

// Options are dev mode's settings; the zero value of each field has a default.
type Options struct {
	// Issuer is the broker's URL (default http://<listen address>).
	Issuer string
	// Data keeps the database and master key across restarts (default .portvakt-dev).
	Data string
	// MasterKey is the master key itself, when it comes from outside (the
	// environment); MasterKeySource names where, for messages. Without it the key is
	// read from MasterKeyFile (default Data/master.key), made there on first start.
	MasterKey, MasterKeySource string
	MasterKeyFile              string
	// DBDriver is sqlite (default) or mysql; DSN defaults to a SQLite file in Data.
	DBDriver, DSN string
	// Connectors are the eIDs dev mode simulates and offers (default
	// broker.ConnectorTypes()).
	Connectors connectors.Registry
	// AutoApprove makes the simulators approve at once.
	AutoApprove bool
	// ExtraRedirectURIs are added to the demo client.
	ExtraRedirectURIs []string
	// AgentCIBAIssuer sends the agent console's CIBA requests elsewhere than
	// the broker (tests: a stand-in that follows the contract).
	AgentCIBAIssuer string
	// LogLevel and LogFormat go into the broker's config (the logger is Logger).
	LogLevel, LogFormat string
	Logger              *slog.Logger
}

// Env is a running dev mode.
type Env struct {
	Issuer     string
	Broker     *broker.Broker
	Simulators *Simulators
	served     chan error
}

// Start serves dev mode on ln until ctx ends. The simulators answer at once;
// the broker joins them when built (its connectors read the simulators' discovery
// documents).
func Start(ctx context.Context, ln net.Listener, o Options) (*Env, error) {
	if o.Data == "" {
		o.Data = ".portvakt-dev"
	}
	if o.DBDriver == "" {
		o.DBDriver = "sqlite"
	}
	if o.Connectors == nil {
		o.Connectors = broker.ConnectorTypes()
	}
	if o.LogLevel == "" {
		o.LogLevel = "info"
	}
	if o.LogFormat == "" {
		o.LogFormat = "text"
	}
	if o.Issuer == "" {
		o.Issuer = IssuerFor(ln.Addr().(*net.TCPAddr), ln.Addr().String())
	}
	logger := o.Logger
	root := &swappable{}
	served := make(chan error, 1)
	go func() { served <- broker.ServeHTTP(ctx, ln, root, logger) }()
	env, err := build(ctx, o, logger, root)
	if err != nil {
		return nil, errors.Join(err, waitUnlessRunning(ctx, served))
	}
	env.served = served
	env.Broker.Background(ctx)
	return env, nil
}

// waitUnlessRunning returns the serve error if serving already ended.
func waitUnlessRunning(_ context.Context, served chan error) error {
	select {
	case err := <-served:
		return err
	default:
		return nil
	}
}

// Wait blocks until serving ends (ctx was cancelled) and closes the database.
func (e *Env) Wait() error {
	err := <-e.served
	closeErr := errors.Join(e.Broker.Admin.Audit.Close(context.Background()), e.Broker.Store.Close())
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if closeErr != nil {
		return errors.Join(err, fmt.Errorf("close the database: %w", closeErr))
	}
	return err
}

// IssuerFor turns a listen address into a URL a browser on this machine reaches.
func IssuerFor(bound *net.TCPAddr, asked string) string {
	host, _, _ := net.SplitHostPort(asked)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(bound.Port))
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

func build(ctx context.Context, o Options, logger *slog.Logger, root *swappable) (*Env, error) {
	if err := os.MkdirAll(o.Data, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	key, err := loadMasterKey(o)
	if err != nil {
		return nil, err
	}
	logger.Info("master key", "source", key.source)
	sims, err := startSimulators(ctx, o.Connectors, o.Issuer, o.AutoApprove, logger)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	sims.mount(mux)
	root.set(mux)

	cfg, err := devConfig(o, key.value, sims)
	if err != nil {
		return nil, err
	}
	cfg.MasterKeySource = key.source
	b, err := broker.BuildWith(ctx, cfg, logger, broker.Extras{Connectors: o.Connectors, WrapConnector: sims.wrap, SimulatorsURL: o.Issuer + "/sim/", MetricsOnMainListener: true, AgentCIBAIssuer: o.AgentCIBAIssuer})
	if err != nil {
		return nil, key.explain(err, o)
	}
	if err := sims.registerBroker(b); err != nil {
		return nil, errors.Join(err, b.Store.Close())
	}
	if err := grantDefaultRoles(ctx, b, sims); err != nil {
		return nil, errors.Join(err, b.Store.Close())
	}
	trust, err := sims.evidenceTrust()
	if err != nil {
		return nil, errors.Join(err, b.Store.Close())
	}
	if err := sims.writeEvidenceTrust(o.Data); err != nil {
		logger.Warn("write the simulated eIDs' signing roots", "error", err)
	}
	demoApp := demo.New(demo.Options{
		Issuer: o.Issuer, ClientID: DemoClientID, ClientSecret: DemoClientSecret, Base: o.Issuer + "/demo",
		Themes: b.Themes, Logger: logger, Choices: demoChoices(o.Connectors, b.Connectors),
		Sign: b.Evidence != nil, EvidenceTrust: trust,
	})
	demoPages := httpsec.Broker(demoApp.Handler())
	mux.Handle("/demo", demoPages)
	mux.Handle("/demo/", demoPages)
	mux.Handle("POST /sim/ciba/act", httpsec.Simulator(sims.cibaApproval(b)))
	mux.Handle("/", b.Handler())
	return &Env{Issuer: o.Issuer, Broker: b, Simulators: sims}, nil
}

// The demo client, as the dev mode contract names it.
const (
	DemoClientID     = "demo"
	DemoClientSecret = "demo-secret"
)

// The caller verification (CIBA) client of dev mode: poll mode, HTTP Basic.
const (
	CIBAClientID     = "ciba-demo"
	CIBAClientSecret = "ciba-demo-secret"
)

// The admin API clients of dev mode: one with the admin role, one auditor.
const (
	AdminClientID       = "admin"
	AdminClientSecret   = "admin-secret"
	AuditorClientID     = "auditor"
	AuditorClientSecret = "auditor-secret"
)

// devConfig is dev mode's configuration: what a production file would hold, with
// the simulators as the eIDs.
func devConfig(o Options, masterKey string, sims *Simulators) (*config.Config, error) {
	dsn := o.DSN
	if o.DBDriver == "sqlite" && dsn == "" {
		dsn = filepath.Join(o.Data, "portvakt.db")
	}
	cfg := &config.Config{
		Issuer: o.Issuer, MasterKey: masterKey,
		Storage: config.Storage{Driver: o.DBDriver, DSN: dsn},
		Keys:    config.Keys{Algorithms: []string{"RS256", "ES256", "PS256", "EdDSA"}},
		Login:   config.Login{SessionLifetime: config.Duration(time.Hour)},
		// Benchmarks hold a thousand verifications open from one client.
		CIBA:       config.CIBALimits{PerClient: 100000, PerAgent: 1000},
		Log:        config.Log{Level: o.LogLevel, Format: o.LogFormat},
		Connectors: sims.connectorConfigs(),
		Clients: []config.Client{{
			ID: DemoClientID, Name: "Demo app", Secret: DemoClientSecret,
			// Client libraries default to one secret method or the other; the demo
			// client is where integrators start, so it takes both.
			AuthMethods:            []string{"client_secret_basic", "client_secret_post"},
			Purpose:                "Shows what a relying party receives from portvakt.",
			ClientURI:              o.Issuer + "/demo",
			RedirectURIs:           append([]string{o.Issuer + "/demo/callback"}, o.ExtraRedirectURIs...),
			PostLogoutRedirectURIs: []string{o.Issuer + "/demo"},
			Scopes:                 []string{"national_id", "evidence"},
			// A login hint names the person: Freja eID pushes the login to their
			// app, which is how a new user sees push at work.
			LoginHintPush: true,
			// The demo's "Sign an agreement" asks for a signature.
			AuthorizationDetailsTypes: []string{evidence.SignType},
			Theme:                     config.Theme{DisplayName: "Demo app"},
		}, {
			ID: CIBAClientID, Name: "Caller verification demo", Secret: CIBAClientSecret, AuthMethod: "client_secret_basic",
			GrantTypes: []string{config.GrantTypeCIBA}, BackchannelDeliveryMode: "poll",
			Scopes: []string{"national_id"}, AuthorizationDetailsTypes: []string{evidence.SignType},
			Theme: config.Theme{DisplayName: "Caller verification demo"},
		}, {
			ID: AdminClientID, Name: "Admin tools", Secret: AdminClientSecret, AuthMethod: "client_secret_basic",
			GrantTypes: []string{"client_credentials"}, Roles: []string{"admin"},
		}, {
			ID: AuditorClientID, Name: "Auditor", Secret: AuditorClientSecret, AuthMethod: "client_secret_basic",
			GrantTypes: []string{"client_credentials"}, Roles: []string{"auditor"},
		}},
	}
	fapi, err := fapiDemoClient(o)
	if err != nil {
		return nil, err
	}
	cfg.Clients = append(cfg.Clients, fapi)
	cfg.ApplyDefaults()
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, problems.Err()
	}
	return cfg, nil
}

// demoChoices are the demo app's login buttons: one per eID, in registry
// order, then one that leaves the choice to the login page.
func demoChoices(reg connectors.Registry, opened map[string]connectors.Connector) []demo.Choice {
	var out []demo.Choice
	for _, t := range reg {
		c, ok := opened[t.DevID]
		if !ok {
			continue
		}
		info := c.Info()
		out = append(out, demo.Choice{EID: &info, ACRValues: provider.ConnectorURN(info.ID)})
	}
	return append(out, demo.Choice{LabelID: "demo.choose"})
}
