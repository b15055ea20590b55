package simcore

import (
	"errors"
	"fmt"
	"maps"

	"github.com/portvakt/portvakt/connectors"
)

// Upstream is an OpenID simulator as dev mode, `portvakt sim` and the tests run
// it: the broker is its one client, by secret or by the connector's published
// keys.
type Upstream struct {
	*Server
	clientID, clientSecret string
	// extra is the connector's config beyond issuer and client credentials.
	extra map[string]any
	// byKeys: the eID registers clients by their keys, not by a secret (FTN).
	byKeys bool
}

// UpstreamOptions say how an eID's connector is configured against its simulator.
type UpstreamOptions struct {
	// ConnectorConfig is the connector's config beyond issuer, client_id and
	// client_secret; its keys win.
	ConnectorConfig map[string]any
	// ByKeys registers the broker by the connector's published keys, no secret.
	ByKeys bool
}

// NewUpstream wraps a started simulator for the broker started with o.
func NewUpstream(srv *Server, o connectors.SimulatorOptions, uo UpstreamOptions) *Upstream {
	return &Upstream{Server: srv, clientID: o.ClientID, clientSecret: o.ClientSecret, extra: uo.ConnectorConfig, byKeys: uo.ByKeys}
}

var (
	_ connectors.Simulator           = (*Upstream)(nil)
	_ connectors.StandaloneSimulator = (*Upstream)(nil)
)

// ConnectorConfig points the connector at this simulator.
func (u *Upstream) ConnectorConfig() map[string]any {
	c := map[string]any{"issuer": u.Issuer(), "client_id": u.clientID, "client_secret": u.clientSecret}
	maps.Copy(c, u.extra)
	return c
}

// RegisterBroker registers the broker's callback, with the connector's
// published keys when the eID registers clients by them.
func (u *Upstream) RegisterBroker(callbackURL string, conn connectors.Connector) error {
	c := Client{ID: u.clientID, Secret: u.clientSecret, RedirectURIs: []string{callbackURL}}
	if u.byKeys {
		pub, ok := conn.(connectors.KeyPublisher)
		if !ok {
			return errors.New("the connector publishes no keys to register")
		}
		set := pub.PublicJWKS()
		c.JWKS, c.Secret = &set, ""
	}
	return u.RegisterClient(c)
}

// RegisterCallback registers a broker's callback with a secret, its own when
// secret is "", and returns the secret.
func (u *Upstream) RegisterCallback(redirect, secret string) (string, error) {
	if secret == "" {
		secret = u.clientSecret
	}
	return secret, u.RegisterClient(Client{ID: u.clientID, Secret: secret, RedirectURIs: []string{redirect}})
}

// People are the simulator's test users.
func (u *Upstream) People() []connectors.TestPerson {
	var out []connectors.TestPerson
	for _, p := range u.TestUsers() {
		out = append(out, connectors.TestPerson{Name: p.Name, NationalID: p.NationalID})
	}
	return out
}

// Standalone registers the broker's callback, if given, and says how to reach
// the simulator.
func (u *Upstream) Standalone(o connectors.StandaloneOptions) (string, error) {
	if u.byKeys {
		return fmt.Sprintf("issuer: %s (it registers clients by their JWKS; run it inside `portvakt dev`)\n", u.Issuer()), nil
	}
	secret := o.ClientSecret
	if o.RedirectURI != "" {
		var err error
		if secret, err = u.RegisterCallback(o.RedirectURI, o.ClientSecret); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("issuer: %s\nclient: %s / %s\n", u.Issuer(), u.clientID, secret), nil
}
