package oidcup

import (
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// Client authentication methods at the token endpoint.
const (
	AuthPrivateKeyJWT     = "private_key_jwt"
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
)

// Request object modes.
const (
	// RequestObjectNone sends the authorization request as plain query parameters.
	RequestObjectNone = ""
	// RequestObjectSigned sends the plain parameters and a signed request object
	// that repeats them (RFC 9101 with OIDC Core compatible query parameters).
	RequestObjectSigned = "signed"
	// RequestObjectOnly sends nothing but request=<signed JWT>.
	RequestObjectOnly = "only"
)

// DefaultTimeout bounds every upstream HTTP call when Upstream.Timeout is unset.
const DefaultTimeout = 10 * time.Second

// Upstream is the configuration every upstream OIDC connector shares. Connector
// configs embed it, so its fields sit at the top level of their JSON.
type Upstream struct {
	// Issuer is the upstream's issuer URL; discovery is read from it.
	Issuer string `json:"issuer"`
	// ClientID and ClientSecret as registered at the upstream.
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	// ClientAuth is private_key_jwt, client_secret_basic or client_secret_post.
	ClientAuth string `json:"client_auth,omitempty"`

	// SigningKeyPEM / SigningKeyFile hold the RSA key that signs client assertions
	// and request objects. The PEM field is for secrets expanded from the
	// environment; the file field for mounted secrets.
	SigningKeyPEM  string `json:"signing_key_pem,omitempty"`
	SigningKeyFile string `json:"signing_key_file,omitempty"`
	// EncryptionKeyPEM / EncryptionKeyFile hold the RSA key that encrypted ID
	// tokens and userinfo responses are addressed to.
	EncryptionKeyPEM  string `json:"encryption_key_pem,omitempty"`
	EncryptionKeyFile string `json:"encryption_key_file,omitempty"`
	// GenerateKeys creates missing keys at start. They change on every restart, so
	// this is for development with the simulators only.
	GenerateKeys bool `json:"generate_keys,omitempty"`

	// Timeout bounds each upstream HTTP call ("10s" by default).
	Timeout Duration `json:"timeout,omitempty"`
}

// Duration is connectors.Duration, kept so configs read the same.
type Duration = connectors.Duration
