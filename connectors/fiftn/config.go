package fiftn

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/oidcup"
)

// maxSPNameLength is the FTN limit on ftn_spname.
const maxSPNameLength = 40

// Config configures the connector. The upstream fields (issuer, client_id, keys,
// timeout) are at the top level. Client authentication is always
// private_key_jwt, and both a signing and an encryption key are needed.
type Config struct {
	oidcup.Upstream
	// SPName is the service name the person sees at the bank (ftn_spname).
	SPName string `json:"sp_name"`
	// TestEnvironment asks for http://ftn.ficora.fi/2017/loatest2 instead of
	// loa2, as brokers' pre-production environments require.
	TestEnvironment bool `json:"test_environment,omitempty"`
	// SendLoginHint puts a HETU from the broker's login_hint into the request
	// object as login_hint. FTN brokers ignore it; the simulator picks the test
	// user by it. The request object is signed, not encrypted, so leave it off in
	// production.
	SendLoginHint bool `json:"send_login_hint,omitempty"`
	// AllowUnencryptedIDTokens lets clients without an encryption key receive
	// this connector's identities. FTN's rules forbid it for real identity data
	// (Traficom's regulation: identity data is passed on signed and encrypted);
	// it exists for simulators and test identities only.
	AllowUnencryptedIDTokens bool `json:"allow_unencrypted_id_tokens,omitempty"`
}

// Open checks the config and returns the connector. The upstream is contacted
// on first use, not here.
func (c *Config) Open(ctx context.Context, id string, deps connectors.Deps) (connectors.Connector, error) {
	if c.SPName == "" {
		return nil, errors.New("fiftn: sp_name is required")
	}
	if utf8.RuneCountInString(c.SPName) > maxSPNameLength {
		return nil, fmt.Errorf("fiftn: sp_name is longer than %d characters", maxSPNameLength)
	}
	if c.ClientAuth != "" && c.ClientAuth != oidcup.AuthPrivateKeyJWT {
		return nil, fmt.Errorf("fiftn: client_auth must be %s", oidcup.AuthPrivateKeyJWT)
	}
	up := c.Upstream
	up.ClientAuth = oidcup.AuthPrivateKeyJWT
	client, err := oidcup.New(oidcup.Options{
		Upstream:                up,
		Scopes:                  []string{"openid"},
		RequestObject:           oidcup.RequestObjectOnly,
		RequireEncryptedIDToken: true,
		RequireEncryptionKey:    true,
		HTTPClient:              deps.HTTPClient,
		Logger:                  deps.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("fiftn: %w", err)
	}
	if id == "" {
		id = "fi-ftn"
	}
	return &Connector{id: id, cfg: *c, client: client, log: client.Logger()}, nil
}
