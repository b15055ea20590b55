package devmode

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	dksim "github.com/portvakt/portvakt/connectors/dkmitid/sim"
	fisim "github.com/portvakt/portvakt/connectors/fiftn/sim"
	nosim "github.com/portvakt/portvakt/connectors/nobankid/sim"
	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/internal/randid"
)

// Simulators are dev mode's eIDs. The broker reaches them exactly as it reaches the
// real ones: Swedish BankID over mutual TLS with certificates from the simulator's
// own CA, the others as OpenID providers under /sim/<id>.
type Simulators struct {
	issuer string
	// BankID is the Swedish BankID simulator; BankIDAPI its RP API base URL.
	BankID                *sesim.Simulator
	BankIDAPI             string
	bankidCert, bankidKey []byte
	// OIDC are the OpenID simulators by connector id.
	OIDC         map[string]*simcore.Server
	clientSecret string
}

// DevUpstreamClient is the broker's client id at the OpenID simulators.
const DevUpstreamClient = "portvakt-dev"

func startSimulators(ctx context.Context, issuer string, autoApprove bool, logger *slog.Logger) (*Simulators, error) {
	s := &Simulators{issuer: issuer, OIDC: map[string]*simcore.Server{}, clientSecret: randid.String(24)}
	var err error
	if s.BankID, err = sesim.New(sesim.Options{AutoApprove: autoApprove, AppBasePath: "/sim/se-bankid/", Logger: logger}); err != nil {
		return nil, fmt.Errorf("BankID simulator: %w", err)
	}
	if s.BankIDAPI, err = s.BankID.Start(ctx); err != nil {
		return nil, fmt.Errorf("BankID simulator: %w", err)
	}
	if s.bankidCert, s.bankidKey, err = s.BankID.IssueClientCert("portvakt dev"); err != nil {
		return nil, fmt.Errorf("BankID client certificate: %w", err)
	}
	no, err := nosim.New(nosim.Options{Issuer: issuer + "/sim/no-bankid", AutoApprove: autoApprove, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("Norwegian BankID simulator: %w", err)
	}
	fi, err := fisim.New(fisim.Options{Issuer: issuer + "/sim/fi-ftn", AutoApprove: autoApprove, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("FTN simulator: %w", err)
	}
	dk, err := dksim.New(dksim.Options{Issuer: issuer + "/sim/dk-mitid", AutoApprove: autoApprove, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("MitID simulator: %w", err)
	}
	s.OIDC["no-bankid"], s.OIDC["fi-ftn"], s.OIDC["dk-mitid"] = no.Server, fi.Server, dk.Server
	return s, nil
}

// mount serves the simulators' pages under /sim/, each with the simulators'
// security headers.
func (s *Simulators) mount(mux *http.ServeMux) {
	mux.Handle("/sim/se-bankid/", httpsec.Simulator(s.BankID.AppHandler()))
	for id, srv := range s.OIDC {
		mux.Handle("/sim/"+id+"/", httpsec.Simulator(srv.Handler()))
	}
	mux.Handle("GET /sim/{$}", httpsec.Simulator(http.HandlerFunc(s.index)))
	mux.Handle("GET /sim/static/", http.StripPrefix("/sim/static/", simui.Static()))
}

// connectorConfigs configure the four connectors against the simulators: only base
// URLs and trust material differ from production.
func (s *Simulators) connectorConfigs() []config.Connector {
	oidc := func(id, typ string, extra map[string]any) config.Connector {
		c := map[string]any{"issuer": s.issuer + "/sim/" + id, "client_id": DevUpstreamClient, "client_secret": s.clientSecret}
		for k, v := range extra {
			c[k] = v
		}
		return config.Connector{ID: id, Type: typ, Config: c}
	}
	return []config.Connector{
		{ID: "se-bankid", Type: "sebankid", Config: map[string]any{
			"base_url": s.BankIDAPI, "ca_pem": string(s.BankID.CAPEM()),
			"cert_pem": string(s.bankidCert), "key_pem": string(s.bankidKey),
		}},
		oidc("no-bankid", "nobankid", nil),
		oidc("fi-ftn", "fiftn", map[string]any{"client_secret": "", "generate_keys": true, "sp_name": "portvakt dev", "send_login_hint": true}),
		oidc("dk-mitid", "dkmitid", map[string]any{"request_cpr": true, "send_cpr_hint": true}),
	}
}

// registerBroker registers the broker as a client at each OpenID simulator, with
// the broker's callback and, for FTN, the connector's published keys.
func (s *Simulators) registerBroker(b *broker.Broker) error {
	for id, srv := range s.OIDC {
		c := simcore.Client{ID: DevUpstreamClient, Secret: s.clientSecret, RedirectURIs: []string{b.Config.Issuer + "/callback/" + id}}
		if conn, ok := b.Connectors[id].(interface{ PublicJWKS() jose.JSONWebKeySet }); ok && id == "fi-ftn" {
			set := conn.PublicJWKS()
			c.JWKS, c.Secret = &set, ""
		}
		if err := srv.RegisterClient(c); err != nil {
			return fmt.Errorf("register the broker at the %s simulator: %w", id, err)
		}
	}
	return nil
}

// wrap points BankID's "open the app on this device" link at the simulator's app
// page, since there is no BankID app on a developer's machine.
func (s *Simulators) wrap(c connectors.Connector) connectors.Connector {
	if oc, ok := c.(bankidConnector); ok && c.Info().ID == "se-bankid" {
		return devBankID{bankidConnector: oc, sim: s.BankID, origin: s.issuer}
	}
	return c
}

type bankidConnector interface {
	connectors.OrderConnector
	connectors.Messages
}

type devBankID struct {
	bankidConnector
	sim    *sesim.Simulator
	origin string
}

func (d devBankID) Start(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
	o, err := d.bankidConnector.Start(ctx, req)
	if err == nil && o.LaunchURL != "" {
		o.LaunchURL = d.sim.AppLaunchURL(d.origin, o.LaunchURL)
	}
	return o, err
}

// simIndex lists the simulated eIDs and their test people.
var simIndex = simui.MustTemplate("index", `
<h1 class="sim-heading">{{.Tr "index.title"}}</h1>
<p class="sim-lead">{{.Tr "index.intro"}}</p>
{{range .EIDs}}<section class="sim-card sim-{{.ID}}">
<h2>{{$.Tr (print "eid." .ID)}}</h2>
{{if .App}}<p>{{$.Tr "index.bankid_help"}}</p><a class="sim-button" href="{{.App}}">{{$.Tr "index.open_bankid"}}</a>
{{else}}<p>{{$.Tr "index.redirect_help"}}</p>{{end}}
<h3>{{$.Tr "index.people"}}</h3>
<ul class="sim-list">{{range .People}}<li><span>{{.Name}}</span><span class="sim-id">{{.ID}}</span></li>{{end}}</ul>
</section>
{{end}}`)

type indexPage struct {
	simui.Page
	EIDs []indexEID
}

// indexEID is one simulator on the index: its test people, and for BankID the
// app page to open beside the QR code.
type indexEID struct {
	ID, App string
	People  []struct{ Name, ID string }
}

func (s *Simulators) index(w http.ResponseWriter, r *http.Request) {
	page := indexPage{Page: simui.NewPage(w, r, simui.PageOptions{TitleID: "index.title", Assets: "/sim/static/", CookiePath: "/sim/"})}
	se := indexEID{ID: "se-bankid", App: s.BankID.AppBasePath()}
	for _, u := range sesim.TestUsers() {
		se.People = append(se.People, struct{ Name, ID string }{u.Name(), u.PersonalNumber})
	}
	page.EIDs = append(page.EIDs, se)
	for _, id := range []string{"no-bankid", "fi-ftn", "dk-mitid"} {
		srv, ok := s.OIDC[id]
		if !ok {
			continue
		}
		e := indexEID{ID: id}
		for _, u := range srv.TestUsers() {
			e.People = append(e.People, struct{ Name, ID string }{u.Name, u.NationalID})
		}
		page.EIDs = append(page.EIDs, e)
	}
	simui.Render(w, http.StatusOK, simIndex, page)
}

// StartSimulators starts the simulators alone (for `portvakt sim`), serving their
// pages under base.
func StartSimulators(ctx context.Context, base string, autoApprove bool, logger *slog.Logger) (*Simulators, error) {
	return startSimulators(ctx, base, autoApprove, logger)
}

// Mount serves the simulators' pages under /sim/.
func (s *Simulators) Mount(mux *http.ServeMux) { s.mount(mux) }

// BankIDTrust is what a broker needs to reach the BankID simulator: its CA and a
// client certificate with key, PEM.
func (s *Simulators) BankIDTrust() (ca, cert, key []byte) {
	return s.BankID.CAPEM(), s.bankidCert, s.bankidKey
}

// RegisterUpstreamClient registers a broker's callback at an OpenID simulator under
// the client id portvakt-dev and returns its secret.
func (s *Simulators) RegisterUpstreamClient(id, redirect, secret string) (string, error) {
	srv, ok := s.OIDC[id]
	if !ok {
		return "", fmt.Errorf("no simulator %q", id)
	}
	if secret == "" {
		secret = s.clientSecret
	}
	return secret, srv.RegisterClient(simcore.Client{ID: DevUpstreamClient, Secret: secret, RedirectURIs: []string{redirect}})
}

// ConnectorConfigs are connector entries for a broker's config that reach these
// simulators (for brokers started apart from dev mode, such as replicas in tests).
func (s *Simulators) ConnectorConfigs() []config.Connector { return s.connectorConfigs() }

// Wrap points BankID's app links at the simulator (see broker.Build's wrap).
func (s *Simulators) Wrap(c connectors.Connector) connectors.Connector { return s.wrap(c) }
