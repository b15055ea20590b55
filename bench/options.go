package bench

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider"
)

// Options say what to run and against which broker. Zero values take the defaults
// of dev mode: the demo client at http://127.0.0.1:8080.
type Options struct {
	// Issuer is the broker's URL.
	Issuer string
	// MetricsURL is where the broker's /metrics is read (default <issuer>/metrics,
	// as dev mode serves it; portvakt serve serves it on metrics.listen, by
	// default http://127.0.0.1:9090/metrics).
	MetricsURL string
	// EID is a registered eID's alias (mitid, nobankid, ftn, bankid: Swedish
	// BankID on another device) or its connector id (dk-mitid).
	EID string
	// Registry is the eIDs the broker may offer (default the built-in ones,
	// broker.ConnectorTypes).
	Registry connectors.Registry
	// Concurrency is how many logins run at once.
	Concurrency int
	// Duration is how long new logins are started (in pending mode: how long the
	// pending logins keep polling once all have started).
	Duration time.Duration
	// ClientID, ClientSecret and RedirectURI are the relying party's.
	ClientID, ClientSecret, RedirectURI string
	// ClientKeyFile, when set, is the client's private JWK: logins then push
	// their requests to the PAR endpoint and authenticate with private_key_jwt
	// (dev mode's fapi-demo: <data>/fapi-demo.jwk).
	ClientKeyFile string
	// LoginHint, when set, is sent as login_hint (e.g. sub:<national id>).
	LoginHint string
	// Pending, when above zero, switches to pending mode: start this many BankID
	// logins that stay pending (the broker must not auto-approve), poll each one's
	// status once a second, then cancel them all.
	Pending int
	// CIBA switches to caller verification mode: hold Pending (default 1,000)
	// verifications open in poll mode, each client polling the token endpoint
	// at its interval (the broker must not auto-approve), and report the
	// broker's CPU per client poll, its memory and the token endpoint's
	// latency while they wait. The client is dev mode's ciba-demo by default.
	CIBA bool
	// Sign makes each flow a signature (an authorization_details entry of the
	// signing type: a loan agreement with an attached document's digest) and
	// checks the token response carries its evidence; the eID defaults to
	// Swedish BankID on another device.
	Sign bool
	// SettleWait is how long pending mode waits, after cancelling, for the broker's
	// goroutines to return to the baseline (default 2 minutes: longer than the
	// usual 90 s idle timeout of connection pools to upstreams).
	SettleWait time.Duration
	// SingleSource turns off spreading order-based logins over loopback source
	// addresses. The broker limits eID orders per client IP, so a load generator on
	// one address meets that limit after a few dozen BankID logins; on a loopback
	// issuer each such login comes from its own 127.x.y.z address instead, as if
	// each were a different person.
	SingleSource bool
	// Progress receives a line, rewritten every second, while the run lasts; nil
	// writes none.
	Progress io.Writer
}

// EIDs are the eID names Options.EID accepts besides the connector ids: the
// built-in eIDs' aliases.
func EIDs() []string { return broker.ConnectorTypes().Names() }

// eid is how the run logs in with the chosen eID.
type eid struct {
	// acr is the acr_values that selects it with nothing left to choose.
	acr string
	// orders: it logs in by an order the page polls (and the broker rate-limits
	// per client IP).
	orders bool
}

// lookupEID finds name in the registry.
func lookupEID(reg connectors.Registry, name string) (eid, bool) {
	t, ok := reg.Find(name)
	if !ok {
		return eid{}, false
	}
	e := eid{acr: t.UnattendedACR, orders: t.Orders}
	if e.acr == "" {
		e.acr = provider.ConnectorURN(t.DevID)
	}
	return e, true
}

// withDefaults fills in dev mode's defaults and checks what was given.
func (o Options) withDefaults() (Options, eid, error) {
	if o.Issuer == "" {
		o.Issuer = "http://127.0.0.1:8080"
	}
	o.Issuer = strings.TrimRight(o.Issuer, "/")
	if _, err := url.Parse(o.Issuer); err != nil {
		return o, eid{}, fmt.Errorf("issuer: %w", err)
	}
	if o.MetricsURL == "" {
		o.MetricsURL = o.Issuer + "/metrics"
	}
	if o.EID == "" {
		o.EID = "mitid"
		if o.Pending > 0 || o.Sign {
			o.EID = "bankid"
		}
	}
	if o.Registry == nil {
		o.Registry = broker.ConnectorTypes()
	}
	e, ok := lookupEID(o.Registry, o.EID)
	if !ok {
		return o, eid{}, fmt.Errorf("eid %q: want one of %s", o.EID, strings.Join(o.Registry.Names(), ", "))
	}
	if o.Pending > 0 && !e.orders {
		return o, eid{}, fmt.Errorf("pending mode needs an eID with orders (bankid), not %q", o.EID)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 32
	}
	if o.Duration <= 0 {
		o.Duration = 30 * time.Second
	}
	if o.SettleWait <= 0 {
		o.SettleWait = 2 * time.Minute
	}
	if o.Sign && (o.Pending > 0 || o.CIBA) {
		return o, eid{}, errors.New("sign mode runs complete signatures: not with --pending or --ciba")
	}
	if o.CIBA && o.Pending <= 0 {
		o.Pending = 1000
	}
	if o.CIBA && o.Duration > 100*time.Second {
		return o, eid{}, fmt.Errorf("ciba mode: duration %s is longer than a verification waits (2 minutes, with time to start them)", o.Duration)
	}
	if o.ClientID == "" && o.CIBA {
		o.ClientID = "ciba-demo"
	}
	if o.ClientID == "" {
		o.ClientID = "demo"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = o.ClientID + "-secret" // dev mode's clients
	}
	if o.RedirectURI == "" {
		o.RedirectURI = o.Issuer + "/demo/callback"
	}
	return o, e, nil
}
