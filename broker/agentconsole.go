package broker

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
)

// agentConsoleSecretName is the server secret the agent console authenticates
// to the broker with; generated once, sealed under the master key, shared by
// every broker process.
const agentConsoleSecretName = "agent-console-client-secret"

// AgentConsoleClient is the agent console's client of this broker: it signs
// its agents in (authorization code) and verifies callers (CIBA) with this id
// and secret, over the broker's own endpoints.
func (a *Broker) AgentConsoleClient() (id, secret string) {
	return provider.AgentConsoleClientID, a.agentConsoleSecret
}

// agentConsoleClient is the console's registration, kept with the file's
// clients (read-only to the admin API): a confidential client with the CIBA
// grant and the code grant for its agents' sign-in at /agent/.
func agentConsoleClient(ctx context.Context, cfg *config.Config, km *keys.Manager) (config.Client, string, error) {
	raw, err := km.Secret(ctx, agentConsoleSecretName, 32)
	if err != nil {
		return config.Client{}, "", fmt.Errorf("agent console secret: %w", err)
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	cl := config.Client{
		ID: provider.AgentConsoleClientID, Name: "Agent console", Secret: secret, AuthMethod: "client_secret_basic",
		GrantTypes:   []string{"authorization_code", config.GrantTypeCIBA},
		RedirectURIs: []string{cfg.Issuer + "/agent/callback"},
		Scopes:       []string{"national_id"},
		Purpose:      "Signs in the broker's agents and verifies who is calling.",
		CIBA:         config.CIBA{RequireReason: true},
	}
	cl.ApplyDefaults()
	return cl, secret, nil
}
