package sim

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/portvakt/portvakt/connectors"
)

// Dev is the simulator as dev mode, `portvakt sim` and the tests run it: its RP
// API over mutual TLS with a client certificate from its own CA, its app pages
// under /sim/<id>/.
type Dev struct {
	Sim *Simulator
	// APIURL is the RP API's base URL.
	APIURL    string
	origin    string
	cert, key []byte
}

var (
	_ connectors.OrderActor          = (*Dev)(nil)
	_ connectors.AppSimulator        = (*Dev)(nil)
	_ connectors.StandaloneSimulator = (*Dev)(nil)
)

// Start starts the simulator and issues the broker's client certificate.
func Start(ctx context.Context, o connectors.SimulatorOptions) (connectors.Simulator, error) {
	s, err := New(Options{AutoApprove: o.AutoApprove, AppBasePath: o.Path(), Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	d := &Dev{Sim: s, origin: o.Origin}
	if d.APIURL, err = s.Start(ctx); err != nil {
		return nil, err
	}
	if d.cert, d.key, err = s.IssueClientCert("portvakt dev"); err != nil {
		return nil, fmt.Errorf("client certificate: %w", err)
	}
	return d, nil
}

// ActOnOrder plays the person answering an order in the app.
func (d *Dev) ActOnOrder(ref string, approve bool) error {
	var err error
	if approve {
		_, err = d.Sim.Approve(ref, "")
	} else {
		_, err = d.Sim.Decline(ref)
	}
	return err
}

// Handler serves the simulated app.
func (d *Dev) Handler() http.Handler { return d.Sim.AppHandler() }

// ConnectorConfig points the connector at the RP API, trusting its CA, and
// checks signatures against the simulator's signing root.
func (d *Dev) ConnectorConfig() map[string]any {
	return map[string]any{
		"base_url": d.APIURL, "ca_pem": string(d.Sim.CAPEM()),
		"cert_pem": string(d.cert), "key_pem": string(d.key),
		"signing_roots_pem": string(d.Sim.SigningRootPEM()),
	}
}

// SigningRootPEM is the simulator's signing root, the trust anchor of its
// signatures (see Simulator.SigningRootPEM).
func (d *Dev) SigningRootPEM() []byte { return d.Sim.SigningRootPEM() }

// RegisterBroker has nothing to do: BankID knows its RPs by certificate.
func (d *Dev) RegisterBroker(string, connectors.Connector) error { return nil }

// People are the simulator's test users.
func (d *Dev) People() []connectors.TestPerson {
	var out []connectors.TestPerson
	for _, u := range TestUsers() {
		out = append(out, connectors.TestPerson{Name: u.Name(), NationalID: u.PersonalNumber})
	}
	return out
}

// AppPage is the simulated app's home.
func (d *Dev) AppPage() string { return d.Sim.AppBasePath() }

// DevConnector points the connector's "open the app on this device" links at
// the simulated app, for logins and signatures alike, and keeps the rest of its
// capabilities as they are.
func (d *Dev) DevConnector(c connectors.Connector) connectors.Connector {
	p := connectors.Split(c)
	if p.Order != nil {
		p.Order = appLinks{OrderFlow: p.Order, dev: d}
	}
	if p.Sign != nil {
		p.Sign = appLinksSign{inner: p.Sign, dev: d}
	}
	return connectors.Assemble(p)
}

// Standalone writes the CA and a client certificate with its key to o.Dir, for
// a broker started elsewhere.
func (d *Dev) Standalone(o connectors.StandaloneOptions) (string, error) {
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return "", err
	}
	for name, b := range map[string][]byte{"ca.pem": d.Sim.CAPEM(), "client.pem": d.cert, "client-key.pem": d.key, "signing-root.pem": d.Sim.SigningRootPEM()} {
		if err := os.WriteFile(filepath.Join(o.Dir, name), b, 0o600); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("BankID RP API: %s\napp page: %s%s\ntrust material: %s/{ca.pem,client.pem,client-key.pem}\nsigning root (signing_roots_file): %s/signing-root.pem\n", d.APIURL, d.origin, d.AppPage(), o.Dir, o.Dir), nil
}

// appLink points an order's app link at the simulated app.
func (d *Dev) appLink(o *connectors.Order, err error) (*connectors.Order, error) {
	if err == nil && o.LaunchURL != "" {
		o.LaunchURL = d.Sim.AppLaunchURL(d.origin, o.LaunchURL)
	}
	return o, err
}

// appLinks is an order flow whose app links open the simulated app.
type appLinks struct {
	connectors.OrderFlow
	dev *Dev
}

func (a appLinks) Start(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
	return a.dev.appLink(a.OrderFlow.Start(ctx, req))
}

// appLinksSign is a signing flow whose app links open the simulated app.
type appLinksSign struct {
	inner connectors.SignFlow
	dev   *Dev
}

func (a appLinksSign) StartSign(ctx context.Context, req connectors.SignRequest) (*connectors.Order, error) {
	return a.dev.appLink(a.inner.StartSign(ctx, req))
}
