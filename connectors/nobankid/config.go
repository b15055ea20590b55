package nobankid

import (
	"context"
	"fmt"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/oidcup"
)

// defaultScopes are asked for unless the config names others.
func defaultScopes() []string { return []string{"openid", "profile", "nnin_altsub"} }

// Config configures the connector. The upstream fields (issuer, client_id, keys,
// timeout) are at the top level.
type Config struct {
	oidcup.Upstream
	// Scopes replaces the default "openid profile nnin_altsub" (drop nnin_altsub
	// for a client that is not provisioned for national ids).
	Scopes []string `json:"scopes,omitempty"`
	// RequestObject is "" (plain query) or "signed" (a signed request object too,
	// which needs a signing key).
	RequestObject string `json:"request_object,omitempty"`
}

// Open checks the config and returns the connector. The upstream is contacted
// on first use, not here.
func (c *Config) Open(ctx context.Context, id string, deps connectors.Deps) (connectors.Connector, error) {
	scopes := c.Scopes
	if len(scopes) == 0 {
		scopes = defaultScopes()
	}
	client, err := oidcup.New(oidcup.Options{
		Upstream:      c.Upstream,
		Scopes:        scopes,
		RequestObject: c.RequestObject,
		HTTPClient:    deps.HTTPClient,
		Logger:        deps.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("nobankid: %w", err)
	}
	if id == "" {
		id = "no-bankid"
	}
	return &Connector{id: id, client: client, log: client.Logger()}, nil
}
