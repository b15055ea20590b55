package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/internal/recovery"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage/sqlstore"
	"github.com/portvakt/portvakt/themes"
)

// Broker is the assembled broker: storage, keys, connectors, themes and the provider.
type Broker struct {
	Config   *config.Config
	Logger   *slog.Logger
	Store    *sqlstore.Store
	Keys     *keys.Manager
	Themes   *themes.Themes
	Provider *provider.Server
	// Connectors by id, as opened (before any wrapping).
	Connectors map[string]connectors.Connector
	// Admin is the audit trail, consent store and admin service.
	Admin *AdminParts
	// Evidence issues, keeps and purges signatures' evidence.
	Evidence *evidence.Service
	// Consoles are the admin page's and the agent console's sign-ins.
	Consoles *Consoles
	// consoleSecret derives the consoles' client secrets (AgentConsoleClient).
	consoleSecret func(clientID string) string
}

// OpenStore opens the database and brings its schema up to date.
func OpenStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*sqlstore.Store, error) {
	store, err := sqlstore.Open(ctx, sqlstore.Config{Driver: cfg.Storage.Driver, DSN: cfg.Storage.DSN, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", cfg.Storage.Driver, err)
	}
	if err := store.Migrate(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("migrate database: %w", err), store.Close())
	}
	return store, nil
}

// OpenKeys prepares the signing keys and the sealer for secrets at rest.
func OpenKeys(ctx context.Context, cfg *config.Config, store *sqlstore.Store, logger *slog.Logger) (*keys.Manager, *keys.Sealer, error) {
	master, err := keys.ParseMasterKey(cfg.MasterKey)
	if err != nil {
		return nil, nil, fmt.Errorf("master_key: %w", err)
	}
	sealer, err := keys.NewSealer(master)
	if err != nil {
		return nil, nil, err
	}
	m := keys.NewManager(store, sealer, keys.Options{
		Logger: logger, Algorithms: cfg.Keys.Algorithms,
		RotationPeriod: cfg.Keys.RotationPeriod.D(), Retention: cfg.Keys.Retention.D(),
	})
	if err := m.Init(ctx); err != nil {
		if errors.Is(err, keys.ErrDecrypt) {
			return nil, nil, wrongMasterKey(cfg, err)
		}
		return nil, nil, fmt.Errorf("signing keys: %w", err)
	}
	return m, sealer, nil
}

// OpenConnectors opens every configured connector through the registry.
func OpenConnectors(ctx context.Context, cfg *config.Config, reg connectors.Registry, deps connectors.Deps) ([]connectors.Connector, error) {
	var out []connectors.Connector
	var errs []error
	for _, c := range cfg.Connectors {
		raw, err := c.RawConfig()
		if err != nil {
			errs = append(errs, fmt.Errorf("connector %q: %w", c.ID, err))
			continue
		}
		conn, err := reg.Open(ctx, c.Type, c.ID, raw, deps)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, conn)
	}
	return out, errors.Join(errs...)
}

// eidLogos are the logos the connectors carry, by connector id.
func eidLogos(conns []connectors.Connector) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, c := range conns {
		info := c.Info()
		svg, err := info.Logo.Read()
		if err != nil {
			return nil, fmt.Errorf("connector %q: logo: %w", info.ID, err)
		}
		if svg != nil {
			out[info.ID] = svg
		}
	}
	return out, nil
}

// Build assembles the broker from a validated configuration. wrap, when given, may
// decorate each opened connector.
func Build(ctx context.Context, cfg *config.Config, logger *slog.Logger, wrap func(connectors.Connector) connectors.Connector) (*Broker, error) {
	return BuildWith(ctx, cfg, logger, Extras{WrapConnector: wrap})
}

// Extras are what dev mode adds to a broker built from a configuration.
type Extras struct {
	// WrapConnector may decorate each opened connector (dev mode points BankID's
	// app links at its simulator).
	WrapConnector func(connectors.Connector) connectors.Connector
	// Connectors are the connector types the configuration may use; nil means
	// ConnectorTypes (tests add a toy eID here).
	Connectors connectors.Registry
	// SimulatorsURL makes the login pages say the eIDs are simulated, with a link.
	SimulatorsURL string
	// MetricsOnMainListener serves /metrics on the broker's listener without a
	// token (dev mode: one loopback listener, which portvakt bench scrapes).
	MetricsOnMainListener bool
	// AgentCIBAIssuer sends the agent console's CIBA requests to another
	// issuer than the broker (tests: a stand-in that follows the contract).
	AgentCIBAIssuer string
}

// BuildWith is Build with dev mode's extras.
func BuildWith(ctx context.Context, cfg *config.Config, logger *slog.Logger, extras Extras) (_ *Broker, err error) {
	wrap := extras.WrapConnector
	a := &Broker{Config: cfg, Logger: logger}
	for _, d := range cfg.Deprecations() {
		logger.WarnContext(ctx, "deprecated configuration", "detail", d)
	}
	if a.Store, err = OpenStore(ctx, cfg, logger); err != nil {
		return nil, err
	}
	defer func() {
		if err == nil {
			return
		}
		if closeErr := a.Store.Close(); closeErr != nil {
			err = errors.Join(err, closeErr)
		}
	}()
	keyManager, sealer, err := OpenKeys(ctx, cfg, a.Store, logger)
	if err != nil {
		return nil, err
	}
	a.Keys = keyManager
	httpClient := upstreamClient()
	reg := extras.Connectors
	if reg == nil {
		reg = ConnectorTypes()
	}
	conns, err := OpenConnectors(ctx, cfg, reg, connectors.Deps{Logger: logger, HTTPClient: httpClient, BaseURL: cfg.Issuer})
	if err != nil {
		return nil, err
	}
	a.Connectors = map[string]connectors.Connector{}
	for _, c := range conns {
		a.Connectors[c.Info().ID] = c
	}
	logos, err := eidLogos(conns)
	if err != nil {
		return nil, err
	}
	if a.Themes, err = themes.Load(themes.Options{Dir: cfg.Login.ThemeDir, EIDLogos: logos}); err != nil {
		return nil, fmt.Errorf("themes: %w", err)
	}
	if wrap != nil {
		for i, c := range conns {
			conns[i] = wrap(c)
		}
	}
	secret, err := consoleSecrets(ctx, keyManager)
	if err != nil {
		return nil, err
	}
	a.consoleSecret = secret
	// The consoles' clients are the broker's own: registered here, not in the file.
	withConsoles := *cfg
	withConsoles.Clients = append(consoleClients(cfg.Issuer, secret), cfg.Clients...)
	cfg = &withConsoles
	a.Config = cfg
	if err := provider.SyncConfigClients(ctx, a.Store, cfg.Clients, time.Now()); err != nil {
		return nil, err
	}
	if a.Admin, err = OpenAdmin(ctx, cfg, a.Store, keyManager, sealer, describeEIDs(conns), logger); err != nil {
		return nil, err
	}
	if a.Evidence, err = evidence.New(ctx, evidence.Options{
		Store: a.Store, Sealer: sealer, Issuer: cfg.Issuer, Retention: cfg.Evidence.Retention.D(), Logger: logger,
	}); err != nil {
		return nil, err
	}
	a.Provider, err = provider.New(ctx, provider.Options{
		Config: cfg, Store: admin.EnabledClients(a.Store), Keys: keyManager, Sealer: sealer, Connectors: conns,
		Themes: a.Themes, Logger: logger, HTTPClient: httpClient, Secure: strings.HasPrefix(cfg.Issuer, "https://"),
		Audit: a.Admin.Audit, Consents: a.Admin.Consents, SimulatorsURL: extras.SimulatorsURL,
		MetricsOnMainListener: extras.MetricsOnMainListener, Evidence: a.Evidence,
	})
	if err != nil {
		return nil, err
	}
	a.Admin.Service.SetRefresh(a.Provider.RefreshClients)
	a.Consoles = openConsoles(consoleOptions{cfg: a, sealer: sealer, secret: secret, simulatorsURL: extras.SimulatorsURL, cibaIssuer: extras.AgentCIBAIssuer})
	a.Provider.Metrics().AddDB("portvakt", a.Store.DB())
	a.Provider.Metrics().AddWriteRetries(func() (uint64, uint64, uint64) {
		st := a.Store.TxStats()
		return st.Retries, st.GaveUp, st.Unknown
	})
	return a, nil
}

// ServeHTTP runs handler on ln until ctx ends, then shuts down gracefully: requests
// in flight finish, new ones are refused. A panic in any handler is a logged 500.
func ServeHTTP(ctx context.Context, ln net.Listener, handler http.Handler, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           recovery.Handler(logger, handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Background starts key rotation, cache refresh and purging until ctx ends.
func (a *Broker) Background(ctx context.Context) {
	go a.Keys.Run(ctx)
	go a.Provider.Run(ctx)
	go a.purgeAudit(ctx)
	go a.purgeEvidence(ctx)
}

// Run starts the background work and serves handler on ln until ctx ends.
func (a *Broker) Run(ctx context.Context, ln net.Listener, handler http.Handler) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.Background(ctx)
	a.Logger.Info("portvakt is listening", "addr", ln.Addr().String(), "issuer", a.Config.Issuer)
	err := ServeHTTP(ctx, ln, handler, a.Logger)
	// The audit chain's lease goes first, so the next process may take the chain.
	if cerr := a.Admin.Audit.Close(context.WithoutCancel(ctx)); cerr != nil {
		a.Logger.WarnContext(ctx, "close the audit trail", "err", cerr)
	}
	if cerr := a.Store.Close(); cerr != nil {
		a.Logger.WarnContext(ctx, "close database", "err", cerr)
	}
	return err
}

// upstreamClient is what every connector calls its upstream with. Go's default
// keeps two idle connections per host, so a burst of logins towards one eID
// would dial (and, over TLS, handshake) for most calls; this keeps enough.
func upstreamClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 128
	return &http.Client{Timeout: 15 * time.Second, Transport: t}
}
