package config

import (
	"encoding/json"

	"github.com/portvakt/portvakt/connectors"
)

// Config is the whole configuration file of `portvakt serve`.
type Config struct {
	// Issuer is the broker's public URL, e.g. https://login.example.com. It is the
	// iss of every token; https is required except on loopback addresses.
	Issuer string `yaml:"issuer"`
	// Listen is the address to listen on, e.g. ":8080".
	Listen string `yaml:"listen"`
	// MasterKey encrypts signing keys and server secrets at rest: 32 bytes, base64 or
	// hex. Give it through the environment: master_key: ${PORTVAKT_MASTER_KEY}.
	MasterKey string `yaml:"master_key"`
	// MasterKeySource says where MasterKey came from (a file, an environment
	// variable), so that a key that does not fit the database is named at start-up.
	MasterKeySource string `yaml:"-"`
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed for the client IP.
	TrustedProxies []string `yaml:"trusted_proxies"`

	Storage Storage    `yaml:"storage"`
	Keys    Keys       `yaml:"keys"`
	Tokens  Tokens     `yaml:"tokens"`
	Login   Login      `yaml:"login"`
	CIBA    CIBALimits `yaml:"ciba"`
	Log     Log        `yaml:"log"`
	Audit   Audit      `yaml:"audit"`
	// Evidence: the signatures' evidence and its retention.
	Evidence Evidence `yaml:"evidence"`
	Metrics  Metrics  `yaml:"metrics"`
	// AgentConsole configures the agent console (caller verification).
	AgentConsole AgentConsole `yaml:"agent_console"`
	Connectors   []Connector  `yaml:"connectors"`
	// AuthorizationRequests are the server's rules for how every client sends
	// authorization requests.
	AuthorizationRequests AuthorizationRequests `yaml:"authorization_requests"`
	Clients               []Client              `yaml:"clients"`
}

// Storage selects the database.
type Storage struct {
	// Driver is sqlite or mysql (MySQL and MariaDB).
	Driver string `yaml:"driver"`
	// DSN is a file path for sqlite; a go-sql-driver DSN for mysql
	// (user:password@tcp(host:3306)/portvakt).
	DSN string `yaml:"dsn"`
}

// Keys configures token signing keys.
type Keys struct {
	// Algorithms that have a signing key. The first is the default for clients
	// that do not choose one. RS256 is always included (the OIDC default).
	Algorithms []string `yaml:"algorithms"`
	// RotationPeriod is how long a key signs before a new one replaces it.
	RotationPeriod Duration `yaml:"rotation_period"`
	// Retention is how long a retired key stays published in the JWKS.
	Retention Duration `yaml:"retention"`
}

// Tokens sets default lifetimes; clients may override some.
type Tokens struct {
	IDToken     Duration `yaml:"id_token_lifetime"`
	AccessToken Duration `yaml:"access_token_lifetime"`
	Code        Duration `yaml:"code_lifetime"`
	// DPoPNonces makes DPoP proofs carry a nonce the broker gave (RFC 9449
	// §8): a proof cannot be made ahead of time, whatever its iat says.
	DPoPNonces bool `yaml:"dpop_nonces"`
}

// Login configures the login flow.
type Login struct {
	// Lifetime is how long a person has to finish a login.
	Lifetime Duration `yaml:"lifetime"`
	// SessionLifetime is how long a completed login can be reused silently by the
	// same client (prompt=none, max_age). 0 turns single sign-on off.
	SessionLifetime Duration `yaml:"session_lifetime"`
	// ThemeDir overrides the embedded templates and static files.
	ThemeDir string `yaml:"theme_dir"`
	// OrderRateLimit limits eID orders started per client IP and per browser.
	OrderRateLimit RateLimit `yaml:"order_rate_limit"`
}

// CIBALimits bound caller verifications (the backchannel endpoint), per
// minute: each one costs an eID order and rings a person's phone.
type CIBALimits struct {
	// PerClient limits verifications a client starts per minute.
	PerClient int `yaml:"per_client_per_minute"`
	// PerAgent limits verifications per minute by one agent (the agent
	// parameter) of one client.
	PerAgent int `yaml:"per_agent_per_minute"`
}

// RateLimit is a count per window.
type RateLimit struct {
	// PerIP limits orders per client address (behind TrustedProxies, the
	// forwarded one).
	PerIP int `yaml:"per_ip"`
	// PerBrowser limits orders per browser (its binding cookie).
	PerBrowser int `yaml:"per_browser"`
	// PerNationalID is deprecated: it counted the unverified login_hint, so anyone
	// could lock a person out of hinted logins. Its value is taken as PerBrowser
	// when that is not set (see Deprecations).
	PerNationalID int      `yaml:"per_national_id"`
	Window        Duration `yaml:"window"`
}

// Metrics configures the Prometheus metrics, which name clients and eIDs: they
// are not for the public login listener.
type Metrics struct {
	// Listen is where `portvakt serve` serves /metrics on a listener of its own:
	// default 127.0.0.1:9090 (loopback); "off" for none.
	Listen string `yaml:"listen"`
	// BearerTokenFile holds a token (at least 32 characters) that every /metrics
	// request must present as "Authorization: Bearer <token>". With it, /metrics
	// is also served on the main listener, for scrapers that only reach that.
	BearerTokenFile string `yaml:"bearer_token_file"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // json or text
}

// Connector is one eID connector; Config is decoded by the connector type.
type Connector struct {
	ID     string         `yaml:"id"`
	Type   string         `yaml:"type"`
	Config map[string]any `yaml:"config"`
}

// RawConfig returns the connector's config as JSON for connectors.Registry.Open.
func (c Connector) RawConfig() (json.RawMessage, error) {
	if c.Config == nil {
		return nil, nil
	}
	return json.Marshal(c.Config)
}

// Client is a relying party as the file declares it (read-only through the
// admin API), and the settings every client is validated as. It has only a YAML
// form: the stored document (storage.ClientDocument), the admin API's
// (admin.ClientSettings) and the provider's run-time settings
// (provider.ClientSettings) are types of their own, mapped to and from this one
// field by field, so renaming a field here changes none of them.
type Client struct {
	ID   string `yaml:"id"`
	Name string `yaml:"name"`
	// Purpose is shown on the consent screen: why the client asks for the data.
	Purpose string `yaml:"purpose"`
	// Secret in clear (give it through the environment) or SecretHash, the hex
	// SHA-256 of the secret. Neither for public and private_key_jwt clients.
	Secret     string `yaml:"secret"`
	SecretHash string `yaml:"secret_hash"`
	// AuthMethod: client_secret_basic (default with a secret), client_secret_post,
	// private_key_jwt (with JWKS or JWKSURL) or none (public client, PKCE required).
	AuthMethod string `yaml:"token_endpoint_auth_method"`
	// AuthMethods lets a secret client authenticate either way: client_secret_basic
	// and client_secret_post, the only methods that combine (they prove the same
	// secret). Client libraries differ in their default, so a client that many
	// integrators try (dev mode's demo client) accepts both. AuthMethod is then
	// the first.
	AuthMethods []string       `yaml:"token_endpoint_auth_methods"`
	JWKS        map[string]any `yaml:"jwks"`
	JWKSURL     string         `yaml:"jwks_uri"`

	// GrantTypes are authorization_code (the default), client_credentials (for API
	// clients, such as admin tools) and urn:openid:params:grant-type:ciba (caller
	// verification through the backchannel endpoint).
	GrantTypes []string `yaml:"grant_types"`
	// BackchannelDeliveryMode is how a client with the CIBA grant learns a
	// verification is over: poll (the default) or ping.
	BackchannelDeliveryMode string `yaml:"backchannel_token_delivery_mode"`
	// BackchannelNotificationEndpoint is where ping mode posts the auth_req_id
	// (https, or http on loopback).
	BackchannelNotificationEndpoint string `yaml:"backchannel_client_notification_endpoint"`
	// CIBA are the client's rules for caller verification.
	CIBA CIBA `yaml:"ciba"`
	// Roles give a client_credentials client the admin API: admin, or auditor
	// (read-only).
	Roles []string `yaml:"roles"`
	// ResourceServer registers the client as a resource server (an API) that
	// may introspect access tokens issued to other clients.
	ResourceServer *ResourceServer `yaml:"resource_server"`

	// ClientURI is the client's home page: an error page that cannot send the
	// person back with an OIDC error links there. Without it, the origin of the
	// first https (or loopback) redirect URI.
	ClientURI              string   `yaml:"client_uri"`
	RedirectURIs           []string `yaml:"redirect_uris"`
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`

	// Countries (SE, NO, FI, DK) and/or EIDs (se-bankid, ...) the client accepts;
	// both empty means every configured eID.
	Countries []string       `yaml:"countries"`
	EIDs      []string       `yaml:"eids"`
	MinLoA    connectors.LoA `yaml:"min_loa"`
	// Scopes beyond openid and profile the client may receive: national_id, evidence.
	Scopes []string `yaml:"scopes"`
	// SubjectType is pairwise (default) or public.
	SubjectType string `yaml:"subject_type"`
	// Sector groups clients that share pairwise subjects; default the client id.
	Sector string `yaml:"sector"`
	// IDTokenAlg is RS256 (default), PS256, ES256 or EdDSA.
	IDTokenAlg string `yaml:"id_token_signed_response_alg"`
	// AccessTokenFormat is opaque (default) or jwt.
	AccessTokenFormat string `yaml:"access_token_format"`
	// Encryption of the ID token and of userinfo (OIDC Core §10.2): signed
	// first, then encrypted to the client's key with use enc. See encryption.go.
	IDTokenEncryptionAlg  string `yaml:"id_token_encrypted_response_alg"`
	IDTokenEncryptionEnc  string `yaml:"id_token_encrypted_response_enc"`
	UserinfoEncryptionAlg string `yaml:"userinfo_encrypted_response_alg"`
	UserinfoEncryptionEnc string `yaml:"userinfo_encrypted_response_enc"`
	// Consent asks the person before their data is released to the client.
	Consent bool `yaml:"consent"`
	// LoginHintPush lets an eID that can push a login to the person's app
	// (Freja eID) do so when the request names the person with
	// login_hint=sub:<personal number>: no QR code, no app switch. Off, the hint
	// only preselects the person.
	LoginHintPush bool `yaml:"login_hint_push"`
	// AuthorizationDetailsTypes are the RFC 9396 authorization_details types
	// the client may request (RFC 9396 §10): urn:portvakt:sign:v1 lets it ask
	// a person to sign.
	AuthorizationDetailsTypes []string `yaml:"authorization_details_types"`
	// LoginHintEmail accepts login_hint=email:<address> and pushes the login to
	// the app of the person registered with that address (Freja eID).
	LoginHintEmail bool `yaml:"login_hint_email"`
	// DPoPBoundAccessTokens requires a DPoP proof (RFC 9449) at the token
	// endpoint: the client's access tokens are bound to its key, so a stolen
	// token is of no use without the key.
	DPoPBoundAccessTokens bool  `yaml:"dpop_bound_access_tokens"`
	Theme                 Theme `yaml:"theme"`

	// Profile turns a set of stricter rules on at once: fapi2 is the FAPI 2.0
	// Security Profile (pushed and PKCE-protected requests, private_key_jwt
	// with the issuer as audience, PS256/ES256/EdDSA only, short codes).
	Profile string `yaml:"profile"`
	// RequirePushedAuthorizationRequests accepts authorization requests only
	// through the PAR endpoint (RFC 9126).
	RequirePushedAuthorizationRequests bool `yaml:"require_pushed_authorization_requests"`
	// RequireSignedRequestObject accepts authorization requests only as a
	// request object signed by the client (RFC 9101).
	RequireSignedRequestObject bool `yaml:"require_signed_request_object"`
	// RequestObjectSigningAlg, when set, is the one algorithm the client's
	// request objects may be signed with.
	RequestObjectSigningAlg string `yaml:"request_object_signing_alg"`

	IDTokenLifetime     Duration `yaml:"id_token_lifetime"`
	AccessTokenLifetime Duration `yaml:"access_token_lifetime"`

	// Disabled keeps the client in the file but refuses it everywhere (no login,
	// no token, no token check); the tokens it holds are revoked at start-up. For
	// an API client the admin API's disable sets the same field.
	Disabled bool `yaml:"disabled"`
}

// CIBA are a client's rules for verifying callers.
type CIBA struct {
	// RequireReason refuses a verification that does not say why it is made
	// (the reason parameter).
	RequireReason bool `yaml:"require_reason"`
}

// ResourceServer is what a resource server client may introspect.
type ResourceServer struct {
	// Audiences are the token audiences the resource server serves: it may
	// introspect an access token whose aud includes one of them. An access
	// token's aud is the client id of the relying party it was issued to. The
	// answer holds only the claims the resource server itself may receive.
	Audiences []string `yaml:"audiences"`
}

// Theme is a client's look on the login page.
type Theme struct {
	DisplayName  string `yaml:"display_name"`
	LogoURL      string `yaml:"logo_url"`
	SupportURL   string `yaml:"support_url"`
	PrimaryColor string `yaml:"primary_color"`
	PrimaryText  string `yaml:"primary_text_color"`
	Background   string `yaml:"background_color"`
	// CustomCSS is the client's own stylesheet, served from the broker's origin
	// after the colours. The pages' CSP allows no script and no outside loads, so
	// a stylesheet can restyle the page but not run code or leak data.
	CustomCSS string `yaml:"custom_css"`
}

// Duration is connectors.Duration, the one duration type of the configuration:
// "90s", "15m", "2160h" or a number of seconds, in YAML and JSON.
type Duration = connectors.Duration
