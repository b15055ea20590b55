package broker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/portvakt/portvakt/agentconsole"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/console"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
)

// The clients the broker registers for its own consoles (the CIBA contract
// names the agent console's).
const (
	AgentConsoleClientID = provider.AgentConsoleClientID
	AdminConsoleClientID = "portvakt-admin-console"
)

// consoleSector is the consoles' shared sector of pairwise subjects.
const consoleSector = "portvakt-consoles"

// consoleSecrets are the console clients' secrets: each an HMAC of its id under
// a server secret, so every broker process derives the same ones and nothing
// but the master key's holder can.
func consoleSecrets(ctx context.Context, keyManager *keys.Manager) (func(id string) string, error) {
	key, err := keyManager.Secret(ctx, "console-clients", 32)
	if err != nil {
		return nil, fmt.Errorf("console client secret: %w", err)
	}
	return func(id string) string {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id))
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}, nil
}

// consoleClients are the consoles' clients: confidential, code flow at their
// own callback, the national_id scope (roles are granted by national id), and
// for the agent console the CIBA grant when the broker has it.
func consoleClients(issuer string, secret func(string) string) []config.Client {
	client := func(id, name, path string, grants []string) config.Client {
		cl := config.Client{
			ID: id, Name: name, Secret: secret(id), AuthMethod: "client_secret_basic", GrantTypes: grants,
			RedirectURIs: []string{issuer + path + "/callback"}, PostLogoutRedirectURIs: []string{issuer + path + "/"},
			ClientURI: issuer + path + "/", Scopes: []string{"national_id"}, Theme: config.Theme{DisplayName: name},
			// One sector: a person known by subject only has the same one in both consoles.
			Sector: consoleSector,
		}
		cl.ApplyDefaults()
		return cl
	}
	agent := client(AgentConsoleClientID, "Agent console", agentconsole.Path, []string{"authorization_code", config.GrantTypeCIBA})
	// Every look-up from the console says why.
	agent.CIBA = config.CIBA{RequireReason: true}
	agent.Purpose = "Signs in the broker's agents and verifies who is calling."
	return []config.Client{
		agent,
		client(AdminConsoleClientID, "Admin console", "/admin", []string{"authorization_code"}),
	}
}

// Consoles are the sign-ins of the admin page and the agent console.
type Consoles struct {
	AdminSignIn *console.SignIn
	Agent       *agentconsole.Console
}

// consoleOptions are what openConsoles needs from the broker being built.
type consoleOptions struct {
	cfg           *Broker
	sealer        *keys.Sealer
	secret        func(string) string
	simulatorsURL string
	// cibaIssuer is where the agent console's CIBA requests go (default: the broker).
	cibaIssuer string
}

func openConsoles(o consoleOptions) *Consoles {
	a, cfg := o.cfg, o.cfg.Config
	httpClient := &http.Client{Timeout: 15 * time.Second}
	signIn := func(name, clientID, path string) *console.SignIn {
		return console.New(console.Options{
			Issuer: cfg.Issuer, ClientID: clientID, ClientSecret: o.secret(clientID), Base: cfg.Issuer + path, Name: name,
			Sessions: a.Store, Sealer: o.sealer, PersonKey: a.Admin.Service.PersonKeyOfNationalID, Roles: a.Admin.Service.RolesOf,
			HTTPClient: httpClient, Logger: a.Logger.With(slog.String("console", name)),
		})
	}
	cibaIssuer := o.cibaIssuer
	if cibaIssuer == "" {
		cibaIssuer = cfg.Issuer
	}
	agent := agentconsole.New(agentconsole.Options{
		SignIn: signIn("agent", AgentConsoleClientID, agentconsole.Path),
		CIBA:   agentconsole.NewCIBA(cibaIssuer, AgentConsoleClientID, o.secret(AgentConsoleClientID), httpClient),
		Themes: a.Themes, Reasons: cfg.AgentConsole.Reasons, SimulatorsURL: o.simulatorsURL, Logger: a.Logger,
	})
	return &Consoles{AdminSignIn: signIn("admin", AdminConsoleClientID, "/admin"), Agent: agent}
}

// withAgentConsole serves /agent and /agent/... from the console, the rest from next.
func withAgentConsole(agent *agentconsole.Console, next http.Handler) http.Handler {
	h := agent.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == agentconsole.Path || strings.HasPrefix(r.URL.Path, agentconsole.Path+"/") {
			h.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
