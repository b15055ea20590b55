package connectors

import (
	"context"
	"log/slog"
	"net/http"
)

// Simulator is an eID's stand-in upstream, for dev mode, `portvakt sim` and the
// tests. The broker reaches it exactly as it reaches the real eID: only base
// URLs and trust material differ.
type Simulator interface {
	// Handler serves the simulator's pages under /sim/<id>/ (the full path).
	Handler() http.Handler
	// ConnectorConfig is the connector's configuration that reaches this
	// simulator, with the keys a production file would hold.
	ConnectorConfig() map[string]any
	// RegisterBroker makes the broker a client of the simulator, with its
	// callback and its opened connector (an eID may register clients by their
	// published keys).
	RegisterBroker(callbackURL string, c Connector) error
	// People are the simulator's test users, for its index page.
	People() []TestPerson
}

// TestPerson is a simulator's fictional person. Country is set by the
// simulator of an eID of several countries (ISO 3166-1 alpha-2); "" means the
// eID's one country.
type TestPerson struct{ Name, NationalID, Country string }

// SimulatorOptions are what every simulator is started with.
type SimulatorOptions struct {
	// ID is the connector id; the simulator's pages are under Origin/sim/<ID>/.
	ID string
	// Origin is the scheme and host the simulator's pages are served at.
	Origin string
	// AutoApprove makes the simulator approve every login at once.
	AutoApprove bool
	Logger      *slog.Logger
	// ClientID and ClientSecret are the broker's credentials at a simulator that
	// authenticates its clients.
	ClientID, ClientSecret string
}

// Path is where the simulator's pages are mounted: /sim/<id>/.
func (o SimulatorOptions) Path() string { return "/sim/" + o.ID + "/" }

// AppSimulator simulates an eID app as well as its upstream: dev mode links
// its app page from the simulators' index and points the connector's "open the
// app on this device" links at it, since a developer's machine has no eID app.
type AppSimulator interface {
	Simulator
	// AppPage is the path of the simulated app.
	AppPage() string
	// DevConnector wraps the opened connector for dev mode.
	DevConnector(c Connector) Connector
}

// OrderActor is a simulator whose orders a test can answer as the person
// would, by the order's reference: the automated approval of caller
// verifications (the OpenID conformance suite's automated_ciba_approval_url).
type OrderActor interface {
	Simulator
	// ActOnOrder approves the order as the person it names (or the default
	// test person), or declines it.
	ActOnOrder(ref string, approve bool) error
}

// StandaloneOptions are what `portvakt sim <id>` passes a simulator that runs
// apart from a broker.
type StandaloneOptions struct {
	// RedirectURI is the broker's callback to register, or "".
	RedirectURI string
	// ClientSecret is the broker's secret, or "" for the simulator's own.
	ClientSecret string
	// Dir is where to write trust material the broker needs.
	Dir string
}

// StandaloneSimulator is a simulator that can serve a broker started
// elsewhere: Standalone prepares what that broker needs and says, for a person,
// how to configure it.
type StandaloneSimulator interface {
	Standalone(o StandaloneOptions) (instructions string, err error)
}

// StartSimulator starts one eID's simulator.
type StartSimulator func(ctx context.Context, o SimulatorOptions) (Simulator, error)
