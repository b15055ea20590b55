package connectors

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
)

// Config is a connector's configuration type. Open does the fallible work (load
// certificates, discovery) and returns the ready connector.
type Config interface {
	Open(ctx context.Context, id string, deps Deps) (Connector, error)
}

// Deps are the broker services a connector may use.
type Deps struct {
	Logger *slog.Logger
	// HTTPClient is the broker's shared client (connection reuse, timeouts). A
	// connector that needs its own TLS settings (BankID's mTLS) builds its own.
	HTTPClient *http.Client
	// BaseURL is the broker's issuer URL, for callback and JWKS URLs.
	BaseURL string
	// TLSClientConfig, when set, is used as a base for connectors that build their own
	// transport (tests pin simulator CAs this way).
	TLSClientConfig *tls.Config
}

// Type is one kind of eID the binary knows: how to configure its connector and
// how to simulate it. Dev mode, `portvakt sim` and the tests derive the eIDs
// they run from the registry's types.
type Type struct {
	// Name is the config type name: "sebankid".
	Name string
	// DevID is the connector id dev mode gives it: "se-bankid".
	DevID string
	// NewConfig returns a new, empty config of this type.
	NewConfig func() Config
	// Simulator starts the eID's simulator.
	Simulator StartSimulator
	// Alias is a short name for the command line (`portvakt bench --eid mitid`),
	// or ""; the DevID is accepted as well.
	Alias string
	// Orders says the eID logs in by an order the broker starts and polls (and
	// limits per client IP), not by a redirect to its upstream.
	Orders bool
	// UnattendedACR is the acr_values that logs in with nothing left to choose on
	// the login page, for load tests, when the connector's own URN leaves a choice
	// of methods; "" for that URN.
	UnattendedACR string
}

// Registry is every connector type, in the order dev mode offers them.
type Registry []Type

// Lookup finds a type by its config type name.
func (reg Registry) Lookup(name string) (Type, bool) {
	for _, t := range reg {
		if t.Name == name {
			return t, true
		}
	}
	return Type{}, false
}

// Open decodes raw into the config type registered as typ and opens it.
func (reg Registry) Open(ctx context.Context, typ, id string, raw json.RawMessage, deps Deps) (Connector, error) {
	t, ok := reg.Lookup(typ)
	if !ok {
		return nil, fmt.Errorf("connector %q: unknown type %q (known: %v)", id, typ, reg.Types())
	}
	cfg := t.NewConfig()
	raw, renamed, err := renameOldKeys(raw)
	if err != nil {
		return nil, fmt.Errorf("connector %q: %w", id, err)
	}
	for _, r := range renamed {
		if deps.Logger != nil {
			deps.Logger.Warn("connector config key is deprecated; rename it", "connector", id, "old", r.old, "new", r.new)
		}
	}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(cfg); err != nil {
			return nil, fmt.Errorf("connector %q: decode %s config: %w", id, typ, err)
		}
	}
	c, err := cfg.Open(ctx, id, deps)
	if err != nil {
		return nil, fmt.Errorf("connector %q: open: %w", id, err)
	}
	return c, nil
}

// Find finds a type by its dev id or its alias.
func (reg Registry) Find(name string) (Type, bool) {
	for _, t := range reg {
		if name != "" && (t.DevID == name || t.Alias == name) {
			return t, true
		}
	}
	return Type{}, false
}

// Names are the names Find accepts: each type's alias, or its dev id when it
// has none, in registry order.
func (reg Registry) Names() []string {
	out := make([]string, 0, len(reg))
	for _, t := range reg {
		if t.Alias != "" {
			out = append(out, t.Alias)
		} else {
			out = append(out, t.DevID)
		}
	}
	return out
}

// Types lists the registered type names, sorted.
func (reg Registry) Types() []string {
	out := make([]string, 0, len(reg))
	for _, t := range reg {
		out = append(out, t.Name)
	}
	sort.Strings(out)
	return out
}
