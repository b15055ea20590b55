package nobankid_test

import (
	"github.com/portvakt/portvakt/connectors/nobankid"
	"github.com/portvakt/portvakt/connectors/oidcup"
)

// The broker's client at the simulator, as the tests register it.
const (
	simClientID     = "portvakt-dev"
	simClientSecret = "portvakt-dev-secret" //nolint:gosec // G101: a test client at the simulator
)

// simConfig is the configuration for the simulator at issuer, with a client the
// simulator must be given: ID simClientID, secret simClientSecret and the
// broker's callback URL.
func simConfig(issuer string) *nobankid.Config {
	return &nobankid.Config{Upstream: oidcup.Upstream{
		Issuer: issuer, ClientID: simClientID, ClientSecret: simClientSecret,
		ClientAuth: oidcup.AuthClientSecretBasic,
	}}
}
