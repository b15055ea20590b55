package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider/metrics"
	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// KeyManager is what the provider needs of the signing keys (package keys).
type KeyManager interface {
	SigningKey(ctx context.Context, alg string) (op.SigningKey, error)
	KeySet(ctx context.Context) ([]op.Key, error)
	Secret(ctx context.Context, name string, size int) ([]byte, error)
}

// Options are the provider's collaborators, built by the composition root.
type Options struct {
	Config     *config.Config
	Store      storage.Storage
	Keys       KeyManager
	Sealer     Sealer
	Connectors []connectors.Connector
	Themes     *themes.Themes
	Logger     *slog.Logger
	// HTTPClient fetches client JWKS URLs.
	HTTPClient *http.Client
	// Metrics are the broker's Prometheus metrics; New makes its own when nil.
	Metrics *metrics.Metrics
	// Audit records identifications; nil keeps no audit trail.
	Audit AuditRecorder
	// Consents keeps consent decisions; nil means no client can ask for consent.
	Consents ConsentStore
	// Evidence issues and keeps the evidence of signatures; nil: signing is
	// not offered (discovery lists no authorization_details type).
	Evidence EvidenceService
	// SimulatorsURL, in dev mode, makes every page say the eIDs are simulated and
	// link to the simulators.
	SimulatorsURL string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Secure marks cookies Secure; true unless the issuer is plain http.
	Secure bool
	// MetricsOnMainListener serves /metrics on the broker's own listener without
	// a token: dev mode, which has one loopback listener.
	MetricsOnMainListener bool
}

// Server routes the broker's HTTP surface to its parts and runs the background
// work. The parts: the authorization flow (logins), the grants (token endpoint,
// introspection, revocation, userinfo, admin tokens), the browser's sessions,
// and the pages they all render; base is what they share.
type Server struct {
	*pages
	flow    *logins
	grants  *grants
	ciba    *backchannel
	browser *browserSessions

	conns  map[string]connectors.Connector
	holder string

	metricsPublic bool
	metricsToken  []byte // SHA-256 of metrics.bearer_token_file's token
}

// New builds the provider. It reads (or creates) the server secrets.
func New(ctx context.Context, o Options) (*Server, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New()
	}
	b := &base{
		cfg:       o.Config,
		issuer:    o.Config.Issuer,
		store:     o.Store,
		keys:      o.Keys,
		clients:   newClientCache(o.Store, o.Config.Tokens, o.Logger),
		logger:    o.Logger,
		now:       o.Now,
		secure:    o.Secure,
		http:      o.HTTPClient,
		jwksCache: map[string]cachedJWKS{},
		metrics:   o.Metrics,
		decoder:   newFormDecoder(),
		ownKeys:   ownKeySet{keys: o.Keys},
		codec:     stateCodec{sealer: o.Sealer},
		evidence:  o.Evidence,
	}
	p := &pages{base: b, themes: o.Themes, simsURL: o.SimulatorsURL}
	browser := &browserSessions{pages: p}
	s := &Server{
		pages:   p,
		browser: browser,
		flow: &logins{
			pages: p, browser: browser,
			decoded:  newDecodedStates(maxDecodedStates),
			options:  availableOptions(instrument(o.Metrics, o.Connectors)),
			auditor:  o.Audit,
			consents: o.Consents,
		},
		conns:  map[string]connectors.Connector{},
		holder: newID(),
	}
	for _, c := range o.Connectors {
		s.conns[c.Info().ID] = c
	}
	for _, cidr := range o.Config.TrustedProxies {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", cidr, err)
		}
		s.proxies = append(s.proxies, n)
	}
	var err error
	s.metricsPublic = o.MetricsOnMainListener
	if s.metricsToken, err = readMetricsToken(o.Config.Metrics.BearerTokenFile); err != nil {
		return nil, err
	}
	if b.subjectSecret, err = o.Keys.Secret(ctx, "subject-hmac", 32); err != nil {
		return nil, fmt.Errorf("subject secret: %w", err)
	}
	if o.Config.Tokens.DPoPNonces {
		nonceSecret, err := o.Keys.Secret(ctx, "dpop-nonce-hmac", 32)
		if err != nil {
			return nil, fmt.Errorf("dpop nonce secret: %w", err)
		}
		b.dpopNonces = &dpopNonces{secret: nonceSecret}
	}
	if s.browser.csrfSecret, err = o.Keys.Secret(ctx, "csrf-hmac", 32); err != nil {
		return nil, fmt.Errorf("csrf secret: %w", err)
	}
	if s.browser.bindingSecret, err = o.Keys.Secret(ctx, "browser-binding-hmac", 32); err != nil {
		return nil, fmt.Errorf("browser binding secret: %w", err)
	}
	if s.flow.rateSecret, err = o.Keys.Secret(ctx, "rate-counter-hmac", 32); err != nil {
		return nil, fmt.Errorf("rate counter secret: %w", err)
	}
	cryptoKey, err := o.Keys.Secret(ctx, "access-token-aes", 32)
	if err != nil {
		return nil, fmt.Errorf("access token key: %w", err)
	}
	s.browser.sessions = newSessionManager(o.Store, o.Sealer, o.Config.Login.SessionLifetime.D(), o.Secure)
	// A session the database cannot load or save gets the same 503 page as
	// everything else that needs the database.
	s.browser.sessions.ErrorFunc = s.unavailablePage

	s.grants = &grants{base: b, tokenCipher: newTokenCipher(cryptoKey)}
	s.ciba = &backchannel{flow: s.flow, grants: s.grants, notify: newNotifyClient(o.HTTPClient)}
	s.grants.ciba = s.ciba
	return s, nil
}

func uiLocales() []language.Tag {
	var out []language.Tag
	for _, l := range themes.Languages() {
		out = append(out, language.Make(l))
	}
	return out
}

// Run does the background work until ctx ends: client cache refresh and purging of
// expired rows.
func (s *Server) Run(ctx context.Context) {
	go s.ciba.runCollector(ctx, s.holder)
	refresh := time.NewTicker(time.Second)
	purge := time.NewTicker(time.Minute)
	defer refresh.Stop()
	defer purge.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-refresh.C:
			if err := s.clients.Refresh(ctx); err != nil && !errors.Is(err, context.Canceled) {
				s.logger.Warn("refresh client cache", "error", err)
			}
		case <-purge.C:
			s.purge(ctx)
			s.flow.polls.prune(s.now().Add(-s.cfg.Login.Lifetime.D()))
		}
	}
}

// RefreshClients drops cached clients if any changed (tests and the admin API call it
// to see a change at once).
func (s *Server) RefreshClients(ctx context.Context) error { return s.clients.Refresh(ctx) }

func (s *Server) purge(ctx context.Context) {
	lease, err := s.store.AcquireLease(ctx, "purge", s.holder, 50*time.Second)
	if err != nil || !lease.Held {
		return
	}
	s.flow.cancelExpiredOrders(ctx)
	n, err := s.store.PurgeExpired(ctx, s.now())
	if err != nil {
		s.logger.Warn("purge expired rows", "error", err)
		return
	}
	if n > 0 {
		s.logger.Debug("purged expired rows", "rows", n)
	}
}

// instrument times every upstream call of every connector.
func instrument(m *metrics.Metrics, conns []connectors.Connector) []connectors.Connector {
	out := make([]connectors.Connector, len(conns))
	for i, c := range conns {
		out[i] = m.Instrument(c)
	}
	return out
}

// Metrics are the broker's metrics (for /metrics and the database pool collector).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }
