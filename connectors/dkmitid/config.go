package dkmitid

import (
	"context"
	"fmt"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/oidcup"
)

// Config configures the connector. The upstream fields (issuer, client_id, keys,
// timeout) are at the top level.
type Config struct {
	oidcup.Upstream
	// RequestCPR asks for scope ssn, so the CPR number is released (for private
	// service providers the broker then runs its CPR match).
	RequestCPR bool `json:"request_cpr,omitempty"`
	// SendCPRHint passes a CPR number from the broker's login_hint as
	// idp_params.mitid.cpr_hint. Brokers only accept it in an encrypted request
	// object or over server-to-server channels, so this is for the simulator.
	SendCPRHint bool `json:"send_cpr_hint,omitempty"`
	// RequestObject is "" (plain query) or "signed" (a signed request object too).
	RequestObject string `json:"request_object,omitempty"`
}

// Open checks the config and returns the connector. The upstream is contacted
// on first use, not here.
func (c *Config) Open(ctx context.Context, id string, deps connectors.Deps) (connectors.Connector, error) {
	scopes := []string{"openid", "mitid"}
	if c.RequestCPR {
		scopes = append(scopes, "ssn")
	}
	client, err := oidcup.New(oidcup.Options{
		Upstream:      c.Upstream,
		Scopes:        scopes,
		RequestObject: c.RequestObject,
		HTTPClient:    deps.HTTPClient,
		Logger:        deps.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("dkmitid: %w", err)
	}
	if id == "" {
		id = "dk-mitid"
	}
	return &Connector{id: id, cfg: *c, client: client, log: client.Logger()}, nil
}
