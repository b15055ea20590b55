package provider

import (
	"slices"
	"strings"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
)

// ClientSettings are the settings of a client the provider acts on at run time,
// defaults applied and the secret hashed (the token lifetimes, resolved against
// the broker's, are on Client). They are mapped from the file's
// schema in one place (settingsOf), on a client-cache miss only, so a field
// renamed in config.Client breaks compilation there and not at every use.
type ClientSettings struct {
	ID      string
	Name    string
	Purpose string

	SecretHash string
	// AuthMethod is the primary token endpoint authentication method;
	// AuthMethods, when set, the secret methods the client may use either of.
	AuthMethod  string
	AuthMethods []string
	JWKS        map[string]any
	JWKSURL     string

	GrantTypes []string
	Roles      []string
	// BackchannelMode is poll or ping for a client with the CIBA grant;
	// BackchannelEndpoint the endpoint ping mode posts to.
	BackchannelMode     string
	BackchannelEndpoint string
	// RequireReason: a verification must say why it is made.
	RequireReason bool
	// Audiences are those whose access tokens the client, as a resource
	// server, may introspect; nil when it is not a resource server.
	Audiences []string

	ClientURI              string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string

	Countries         []string
	EIDs              []string
	MinLoA            connectors.LoA
	Scopes            []string
	SubjectType       string
	Sector            string
	IDTokenAlg        string
	AccessTokenFormat string
	Consent           bool
	// LoginHintPush and LoginHintEmail: see config.Client.
	LoginHintPush  bool
	LoginHintEmail bool
	// DetailsTypes are the authorization_details types the client may
	// request (config.Client.AuthorizationDetailsTypes).
	DetailsTypes []string
	// DPoPBound: see config.Client.DPoPBoundAccessTokens.
	DPoPBound bool
	// IDTokenEncryption and UserinfoEncryption, when their Alg is set, encrypt
	// those responses to the client's key (config.Client).
	IDTokenEncryption  Encryption
	UserinfoEncryption Encryption
	Theme              ClientTheme
	// Profile, RequirePAR, RequireSignedRequest and RequestObjectAlg: see
	// config.Client (Profile, RequirePushedAuthorizationRequests, ...).
	Profile              string
	RequirePAR           bool
	RequireSignedRequest bool
	RequestObjectAlg     string
}

// Encryption is how a response is encrypted to the client (OIDC Core §10.2):
// the key management algorithm and the content encryption; none when Alg is
// empty.
type Encryption struct {
	Alg string
	Enc string
}

// ClientTheme is the client's look on the login pages.
type ClientTheme struct {
	DisplayName  string
	LogoURL      string
	SupportURL   string
	PrimaryColor string
	PrimaryText  string
	Background   string
	CustomCSS    string
}

// settingsOf maps a client's schema to its run-time settings, field by field.
func settingsOf(cl config.Client) ClientSettings {
	cl = storedForm(cl)
	s := ClientSettings{
		ID: cl.ID, Name: cl.Name, Purpose: cl.Purpose,
		SecretHash: cl.SecretHash, AuthMethod: cl.AuthMethod, AuthMethods: cl.AuthMethods,
		JWKS: cl.JWKS, JWKSURL: cl.JWKSURL,
		GrantTypes: cl.GrantTypes, Roles: cl.Roles,
		BackchannelMode: cl.BackchannelDeliveryMode, BackchannelEndpoint: cl.BackchannelNotificationEndpoint,
		RequireReason: cl.CIBA.RequireReason,
		ClientURI:     cl.ClientURI, RedirectURIs: cl.RedirectURIs, PostLogoutRedirectURIs: cl.PostLogoutRedirectURIs,
		Countries: cl.Countries, EIDs: cl.EIDs, MinLoA: cl.MinLoA, Scopes: cl.Scopes,
		SubjectType: cl.SubjectType, Sector: cl.Sector, IDTokenAlg: cl.IDTokenAlg, AccessTokenFormat: cl.AccessTokenFormat,
		Consent: cl.Consent, LoginHintPush: cl.LoginHintPush, LoginHintEmail: cl.LoginHintEmail,
		DetailsTypes:       cl.AuthorizationDetailsTypes,
		DPoPBound:          cl.DPoPBoundAccessTokens,
		IDTokenEncryption:  Encryption{Alg: cl.IDTokenEncryptionAlg, Enc: cl.IDTokenEncryptionEnc},
		UserinfoEncryption: Encryption{Alg: cl.UserinfoEncryptionAlg, Enc: cl.UserinfoEncryptionEnc},
		// The theme converts as a whole: the types differ only in their tags, and a
		// field renamed in one but not the other stops the conversion compiling.
		Theme:   ClientTheme(cl.Theme),
		Profile: cl.Profile, RequirePAR: cl.RequirePushedAuthorizationRequests,
		RequireSignedRequest: cl.RequireSignedRequestObject, RequestObjectAlg: cl.RequestObjectSigningAlg,
	}
	if cl.ResourceServer != nil {
		s.Audiences = cl.ResourceServer.Audiences
	}
	return s
}

// storedForm is a client's schema as it is stored and used: defaults applied,
// and a secret given in clear replaced by its hash.
func storedForm(cl config.Client) config.Client {
	cl.ApplyDefaults()
	if cl.Secret != "" {
		cl.SecretHash, cl.Secret = HashSecret(cl.Secret), ""
	}
	return cl
}

// HasGrant reports whether the client may use the grant type.
func (s *ClientSettings) HasGrant(grant string) bool { return slices.Contains(s.GrantTypes, grant) }

// registeredAuthMethods are the methods the client may authenticate with at the
// token, introspection and revocation endpoints.
func (s *ClientSettings) registeredAuthMethods() []string {
	if len(s.AuthMethods) > 0 {
		return s.AuthMethods
	}
	return []string{s.AuthMethod}
}

// AcceptsAuthMethod reports whether the client may authenticate with method. It
// runs on every token request, so it allocates nothing.
func (s *ClientSettings) AcceptsAuthMethod(method string) bool {
	return method == s.AuthMethod || slices.Contains(s.AuthMethods, method)
}

// AuthMethodsText names the registered methods for messages: "client_secret_basic"
// or "client_secret_basic or client_secret_post".
func (s *ClientSettings) AuthMethodsText() string {
	return strings.Join(s.registeredAuthMethods(), " or ")
}

// Serves reports whether the client is a resource server for a token with aud.
func (s *ClientSettings) Serves(aud []string) bool {
	return slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(s.Audiences, a) })
}
