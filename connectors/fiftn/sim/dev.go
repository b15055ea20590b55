package sim

import (
	"context"
	"strings"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/simcore"
)

// Start starts the simulator for dev mode, `portvakt sim` and the tests.
func Start(_ context.Context, o connectors.SimulatorOptions) (connectors.Simulator, error) {
	s, err := New(Options{Issuer: o.Origin + strings.TrimSuffix(o.Path(), "/"), AutoApprove: o.AutoApprove, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	return simcore.NewUpstream(s.Server, o, simcore.UpstreamOptions{ConnectorConfig: map[string]any{"client_secret": "", "generate_keys": true, "sp_name": "portvakt dev", "send_login_hint": true, "allow_unencrypted_id_tokens": true}, ByKeys: true}), nil
}
