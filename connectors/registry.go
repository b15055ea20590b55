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

// Registry maps a connector type name ("sebankid", "nobankid", ...) to a function
// that returns a new, empty config of that type.
type Registry map[string]func() Config

// Open decodes raw into the config type registered as typ and opens it.
func (reg Registry) Open(ctx context.Context, typ, id string, raw json.RawMessage, deps Deps) (Connector, error) {
	newConfig, ok := reg[typ]
	if !ok {
		return nil, fmt.Errorf("connector %q: unknown type %q (known: %v)", id, typ, reg.Types())
	}
	cfg := newConfig()
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

// Types lists the registered type names, sorted.
func (reg Registry) Types() []string {
	out := make([]string, 0, len(reg))
	for k := range reg {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
