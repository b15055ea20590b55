package devmode

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	frejasim "github.com/portvakt/portvakt/connectors/freja/sim"
	sesim "github.com/portvakt/portvakt/connectors/sebankid/sim"
	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/internal/httpsec"
	"github.com/portvakt/portvakt/internal/randid"
)

// Simulators are dev mode's eIDs, one per registered connector type. The broker
// reaches them exactly as it reaches the real ones: only base URLs and trust
// material differ.
type Simulators struct {
	issuer string
	types  connectors.Registry
	// byID are the simulators by connector id, ids in registry order.
	byID map[string]connectors.Simulator
	ids  []string
	// BankID, Freja and OIDC reach into the Swedish BankID, Freja eID and
	// OpenID simulators, for tests that script them.
	BankID       *sesim.Simulator
	Freja        *frejasim.Simulator
	OIDC         map[string]*simcore.Server
	clientSecret string
	// names are the eIDs' own names by connector id, for the index where the
	// simulators' messages have none; set once the broker has opened them,
	// while the index may already be served.
	names atomic.Pointer[map[string]string]
}

// DevUpstreamClient is the broker's client id at the OpenID simulators.
const DevUpstreamClient = "portvakt-dev"

func startSimulators(ctx context.Context, reg connectors.Registry, issuer string, autoApprove bool, logger *slog.Logger) (*Simulators, error) {
	s := &Simulators{issuer: issuer, types: reg, byID: map[string]connectors.Simulator{}, OIDC: map[string]*simcore.Server{}, clientSecret: randid.String(24)}
	for _, t := range reg {
		if t.Simulator == nil {
			continue
		}
		sim, err := t.Simulator(ctx, connectors.SimulatorOptions{
			ID: t.DevID, Origin: issuer, AutoApprove: autoApprove, Logger: logger,
			ClientID: DevUpstreamClient, ClientSecret: s.clientSecret,
		})
		if err != nil {
			return nil, fmt.Errorf("%s simulator: %w", t.DevID, err)
		}
		s.byID[t.DevID] = sim
		s.ids = append(s.ids, t.DevID)
		switch sim := sim.(type) {
		case *sesim.Dev:
			s.BankID = sim.Sim
		case *frejasim.Dev:
			s.Freja = sim.Sim
		case *simcore.Upstream:
			s.OIDC[t.DevID] = sim.Server
		}
	}
	return s, nil
}

// mount serves the simulators' pages under /sim/, each with the simulators'
// security headers.
func (s *Simulators) mount(mux *http.ServeMux) {
	for _, id := range s.ids {
		mux.Handle("/sim/"+id+"/", httpsec.Simulator(s.byID[id].Handler()))
	}
	mux.Handle("GET /sim/{$}", httpsec.Simulator(http.HandlerFunc(s.index)))
	mux.Handle("GET /sim/static/", http.StripPrefix("/sim/static/", simui.Static()))
}

// connectorConfigs configure the connectors against the simulators.
func (s *Simulators) connectorConfigs() []config.Connector {
	var out []config.Connector
	for _, t := range s.types {
		if sim, ok := s.byID[t.DevID]; ok {
			out = append(out, config.Connector{ID: t.DevID, Type: t.Name, Config: sim.ConnectorConfig()})
		}
	}
	return out
}

// registerBroker registers the broker as a client at each simulator, with the
// broker's callback and its opened connector.
func (s *Simulators) registerBroker(b *broker.Broker) error {
	names := map[string]string{}
	for id, c := range b.Connectors {
		names[id] = c.Info().Name
	}
	s.names.Store(&names)
	for _, id := range s.ids {
		if err := s.byID[id].RegisterBroker(b.Config.Issuer+"/callback/"+id, b.Connectors[id]); err != nil {
			return fmt.Errorf("register the broker at the %s simulator: %w", id, err)
		}
	}
	return nil
}

// wrap lets a simulated app stand in for the eID app on this device.
func (s *Simulators) wrap(c connectors.Connector) connectors.Connector {
	if app, ok := s.byID[c.Info().ID].(connectors.AppSimulator); ok {
		return app.DevConnector(c)
	}
	return c
}

// simIndex lists the simulated eIDs and their test people.
var simIndex = simui.MustTemplate("index", `
<h1 class="sim-heading">{{.Tr "index.title"}}</h1>
<p class="sim-lead">{{.Tr "index.intro"}}</p>
{{range .EIDs}}<section class="sim-card sim-{{.ID}}">
<h2>{{.Name}}</h2>
{{if .App}}<p>{{$.Tr "index.app_help"}}</p><a class="sim-button" href="{{.App}}">{{$.Tr "index.open_app" .}}</a>
{{else}}<p>{{$.Tr "index.redirect_help"}}</p>{{end}}
<h3>{{$.Tr "index.people"}}</h3>
<ul class="sim-list">{{range .People}}<li><span>{{.Name}}</span><span class="sim-id">{{.ID}}</span></li>{{end}}</ul>
</section>
{{end}}`)

type indexPage struct {
	simui.Page
	EIDs []indexEID
}

// indexEID is one simulator on the index: its test people, and for an eID
// with an app (BankID, Freja eID) the app page to open beside the QR code.
type indexEID struct {
	ID, Name, App string
	People        []struct{ Name, ID string }
}

func (s *Simulators) index(w http.ResponseWriter, r *http.Request) {
	page := indexPage{Page: simui.NewPage(w, r, simui.PageOptions{TitleID: "index.title", Assets: "/sim/static/", CookiePath: "/sim/"})}
	for _, id := range s.ids {
		sim := s.byID[id]
		e := indexEID{ID: id, Name: s.name(page, id)}
		if app, ok := sim.(connectors.AppSimulator); ok {
			e.App = app.AppPage()
		}
		for _, p := range sim.People() {
			e.People = append(e.People, struct{ Name, ID string }{p.Name, p.NationalID})
		}
		page.EIDs = append(page.EIDs, e)
	}
	simui.Render(w, http.StatusOK, simIndex, page)
}

// name is the eID's name on the index: the simulators' own message, else the
// connector's name, else its id.
func (s *Simulators) name(page indexPage, id string) string {
	if name := page.Tr("eid." + id); name != "eid."+id {
		return name
	}
	if names := s.names.Load(); names != nil && (*names)[id] != "" {
		return (*names)[id]
	}
	return id
}

// StartSimulators starts the simulators of the built-in eIDs alone (for
// `portvakt sim` and tests), serving their pages under base.
func StartSimulators(ctx context.Context, base string, autoApprove bool, logger *slog.Logger) (*Simulators, error) {
	return startSimulators(ctx, broker.ConnectorTypes(), base, autoApprove, logger)
}

// Mount serves the simulators' pages under /sim/.
func (s *Simulators) Mount(mux *http.ServeMux) { s.mount(mux) }

// Standalone prepares the simulator of connector id for a broker started
// elsewhere and says how to configure that broker.
func (s *Simulators) Standalone(id string, o connectors.StandaloneOptions) (string, error) {
	sim, ok := s.byID[id]
	if !ok {
		return "", fmt.Errorf("unknown simulator %q (known: %v)", id, s.ids)
	}
	st, ok := sim.(connectors.StandaloneSimulator)
	if !ok {
		return "", fmt.Errorf("the %s simulator runs only inside `portvakt dev`", id)
	}
	return st.Standalone(o)
}

// People are the test people of connector id's simulator.
func (s *Simulators) People(id string) []connectors.TestPerson {
	if sim, ok := s.byID[id]; ok {
		return sim.People()
	}
	return nil
}

// IDs are the simulators' connector ids, in registry order.
func (s *Simulators) IDs() []string { return slices.Clone(s.ids) }

// RegisterUpstreamClient registers a broker's callback at an OpenID simulator under
// the client id portvakt-dev and returns its secret.
func (s *Simulators) RegisterUpstreamClient(id, redirect, secret string) (string, error) {
	up, ok := s.byID[id].(*simcore.Upstream)
	if !ok {
		return "", fmt.Errorf("no OpenID simulator %q", id)
	}
	return up.RegisterCallback(redirect, secret)
}

// ConnectorConfigs are connector entries for a broker's config that reach these
// simulators (for brokers started apart from dev mode, such as replicas in tests).
func (s *Simulators) ConnectorConfigs() []config.Connector { return s.connectorConfigs() }

// Wrap points app links at the simulated apps (see broker.Build's wrap).
func (s *Simulators) Wrap(c connectors.Connector) connectors.Connector { return s.wrap(c) }

// Simulator is the running simulator of connector id, for tests that script
// or play its upstream (the BankID app's approval); nil when there is none.
func (s *Simulators) Simulator(id string) connectors.Simulator { return s.byID[id] }

// cibaApproval answers a caller verification's eID order as the person would:
// POST /sim/ciba/act?token=<auth_req_id>&type=allow|deny, the shape of the
// OpenID conformance suite's automated_ciba_approval_url (configure it as
// <issuer>/sim/ciba/act?token={auth_req_id}&type={action}). 204 when
// answered, 404 for no waiting verification.
func (s *Simulators) cibaApproval(b *broker.Broker) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		action := q.Get("type")
		if action != "allow" && action != "deny" {
			http.Error(w, "type must be allow or deny", http.StatusBadRequest)
			return
		}
		id, order, err := b.Provider.BackchannelOrder(r.Context(), q.Get("token"))
		if err != nil {
			http.Error(w, "no verification waits for the caller under that auth_req_id", http.StatusNotFound)
			return
		}
		actor, ok := s.byID[id].(connectors.OrderActor)
		if !ok {
			http.Error(w, "the simulator of "+id+" cannot answer orders", http.StatusNotImplemented)
			return
		}
		if err := actor.ActOnOrder(order.Ref, action == "allow"); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
