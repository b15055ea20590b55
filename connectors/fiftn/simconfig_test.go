package fiftn_test

import (
	"github.com/portvakt/portvakt/connectors/fiftn"
	"github.com/portvakt/portvakt/connectors/oidcup"
)

// The broker's client at the simulator, as the tests register it.
const simClientID = "portvakt-dev"

// simConfig is the configuration for the simulator at issuer, with generated
// keys. The simulator must be given the client: ID simClientID, the broker's
// callback URL and the connector's PublicJWKS.
func simConfig(issuer string) *fiftn.Config {
	return &fiftn.Config{
		Upstream: oidcup.Upstream{
			Issuer: issuer, ClientID: simClientID, ClientAuth: oidcup.AuthPrivateKeyJWT, GenerateKeys: true,
		},
		SPName:        "portvakt (development)",
		SendLoginHint: true,
	}
}
