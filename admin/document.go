package admin

import (
	"context"
	"fmt"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// ClientSettings is a client's settings in the admin API's JSON: the body of
// create and update, and part of every answer (openapi.yaml's ClientSettings).
// Its tags are the API, pinned by a golden test; it maps explicitly to
// config.Client, whose validation the file and the API share. There is no
// secret: the broker generates it, and the hash is never shown.
type ClientSettings struct {
	ID                     string          `json:"id"`
	Name                   string          `json:"name"`
	Purpose                string          `json:"purpose,omitempty"`
	AuthMethod             string          `json:"token_endpoint_auth_method"`
	AuthMethods            []string        `json:"token_endpoint_auth_methods,omitempty"`
	JWKS                   map[string]any  `json:"jwks,omitempty"`
	JWKSURL                string          `json:"jwks_uri,omitempty"`
	GrantTypes             []string        `json:"grant_types,omitempty"`
	BackchannelMode        string          `json:"backchannel_token_delivery_mode,omitempty"`
	BackchannelEndpoint    string          `json:"backchannel_client_notification_endpoint,omitempty"`
	CIBA                   *CIBA           `json:"ciba,omitempty"`
	Roles                  []string        `json:"roles,omitempty"`
	ResourceServer         *ResourceServer `json:"resource_server,omitempty"`
	ClientURI              string          `json:"client_uri,omitempty"`
	RedirectURIs           []string        `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris,omitempty"`
	Countries              []string        `json:"countries,omitempty"`
	EIDs                   []string        `json:"eids,omitempty"`
	MinLoA                 connectors.LoA  `json:"min_loa,omitempty"`
	Scopes                 []string        `json:"scopes,omitempty"`
	SubjectType            string          `json:"subject_type,omitempty"`
	Sector                 string          `json:"sector,omitempty"`
	IDTokenAlg             string          `json:"id_token_signed_response_alg,omitempty"`
	AccessTokenFormat      string          `json:"access_token_format,omitempty"`
	Consent                bool            `json:"consent,omitempty"`
	LoginHintPush          bool            `json:"login_hint_push,omitempty"`
	LoginHintEmail         bool            `json:"login_hint_email,omitempty"`
	DetailsTypes           []string        `json:"authorization_details_types,omitempty"`
	DPoPBoundAccessTokens  bool            `json:"dpop_bound_access_tokens,omitempty"`
	IDTokenEncryptionAlg   string          `json:"id_token_encrypted_response_alg,omitempty"`
	IDTokenEncryptionEnc   string          `json:"id_token_encrypted_response_enc,omitempty"`
	UserinfoEncryptionAlg  string          `json:"userinfo_encrypted_response_alg,omitempty"`
	UserinfoEncryptionEnc  string          `json:"userinfo_encrypted_response_enc,omitempty"`
	Theme                  Theme           `json:"theme"`
	IDTokenLifetime        config.Duration `json:"id_token_lifetime,omitempty"`
	AccessTokenLifetime    config.Duration `json:"access_token_lifetime,omitempty"`
	Profile                string          `json:"profile,omitempty"`
	RequirePAR             bool            `json:"require_pushed_authorization_requests,omitempty"`
	RequireSignedRequest   bool            `json:"require_signed_request_object,omitempty"`
	RequestObjectAlg       string          `json:"request_object_signing_alg,omitempty"`
}

// CIBA is a client's rules for caller verification.
type CIBA struct {
	RequireReason bool `json:"require_reason,omitempty"`
}

// ResourceServer is the token audiences a resource server client serves.
type ResourceServer struct {
	Audiences []string `json:"audiences"`
}

// Theme is a client's look on the login page.
type Theme struct {
	DisplayName  string `json:"display_name,omitempty"`
	LogoURL      string `json:"logo_url,omitempty"`
	SupportURL   string `json:"support_url,omitempty"`
	PrimaryColor string `json:"primary_color,omitempty"`
	PrimaryText  string `json:"primary_text_color,omitempty"`
	Background   string `json:"background_color,omitempty"`
	CustomCSS    string `json:"custom_css,omitempty"`
}

// Client is a client as the admin API shows it. The secret is never part of it;
// SecretSet says whether one is stored.
type Client struct {
	ClientSettings
	Disabled  bool   `json:"disabled"`
	Source    string `json:"source"`
	ReadOnly  bool   `json:"read_only"`
	SecretSet bool   `json:"secret_set"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// asConfig maps the API's settings to the file's, which Validate checks.
func (cs ClientSettings) asConfig() config.Client {
	cl := config.Client{
		ID: cs.ID, Name: cs.Name, Purpose: cs.Purpose,
		AuthMethod: cs.AuthMethod, AuthMethods: cs.AuthMethods, JWKS: cs.JWKS, JWKSURL: cs.JWKSURL,
		GrantTypes: cs.GrantTypes, Roles: cs.Roles,
		BackchannelDeliveryMode: cs.BackchannelMode, BackchannelNotificationEndpoint: cs.BackchannelEndpoint,
		ClientURI: cs.ClientURI, RedirectURIs: cs.RedirectURIs, PostLogoutRedirectURIs: cs.PostLogoutRedirectURIs,
		Countries: cs.Countries, EIDs: cs.EIDs, MinLoA: cs.MinLoA, Scopes: cs.Scopes,
		SubjectType: cs.SubjectType, Sector: cs.Sector, IDTokenAlg: cs.IDTokenAlg, AccessTokenFormat: cs.AccessTokenFormat,
		Consent: cs.Consent, LoginHintPush: cs.LoginHintPush, LoginHintEmail: cs.LoginHintEmail,
		AuthorizationDetailsTypes: cs.DetailsTypes,
		DPoPBoundAccessTokens:     cs.DPoPBoundAccessTokens,
		IDTokenEncryptionAlg:      cs.IDTokenEncryptionAlg, IDTokenEncryptionEnc: cs.IDTokenEncryptionEnc,
		UserinfoEncryptionAlg: cs.UserinfoEncryptionAlg, UserinfoEncryptionEnc: cs.UserinfoEncryptionEnc,
		// Converted whole: the types differ only in their tags.
		Theme: config.Theme(cs.Theme), ResourceServer: (*config.ResourceServer)(cs.ResourceServer),
		IDTokenLifetime: cs.IDTokenLifetime, AccessTokenLifetime: cs.AccessTokenLifetime,
		Profile: cs.Profile, RequirePushedAuthorizationRequests: cs.RequirePAR,
		RequireSignedRequestObject: cs.RequireSignedRequest, RequestObjectSigningAlg: cs.RequestObjectAlg,
	}
	if cs.CIBA != nil {
		cl.CIBA = config.CIBA(*cs.CIBA)
	}
	return cl
}

// settingsOf is the API's view of a client's settings: all but the secret hash
// and the disabled flag, which Client shows as SecretSet and Disabled.
func settingsOf(cl config.Client) ClientSettings {
	cs := ClientSettings{
		ID: cl.ID, Name: cl.Name, Purpose: cl.Purpose,
		AuthMethod: cl.AuthMethod, AuthMethods: cl.AuthMethods, JWKS: cl.JWKS, JWKSURL: cl.JWKSURL,
		GrantTypes: cl.GrantTypes, Roles: cl.Roles,
		BackchannelMode: cl.BackchannelDeliveryMode, BackchannelEndpoint: cl.BackchannelNotificationEndpoint,
		ClientURI: cl.ClientURI, RedirectURIs: cl.RedirectURIs, PostLogoutRedirectURIs: cl.PostLogoutRedirectURIs,
		Countries: cl.Countries, EIDs: cl.EIDs, MinLoA: cl.MinLoA, Scopes: cl.Scopes,
		SubjectType: cl.SubjectType, Sector: cl.Sector, IDTokenAlg: cl.IDTokenAlg, AccessTokenFormat: cl.AccessTokenFormat,
		Consent: cl.Consent, LoginHintPush: cl.LoginHintPush, LoginHintEmail: cl.LoginHintEmail,
		DetailsTypes:          cl.AuthorizationDetailsTypes,
		DPoPBoundAccessTokens: cl.DPoPBoundAccessTokens,
		IDTokenEncryptionAlg:  cl.IDTokenEncryptionAlg, IDTokenEncryptionEnc: cl.IDTokenEncryptionEnc,
		UserinfoEncryptionAlg: cl.UserinfoEncryptionAlg, UserinfoEncryptionEnc: cl.UserinfoEncryptionEnc,
		Theme: Theme(cl.Theme), ResourceServer: (*ResourceServer)(cl.ResourceServer),
		IDTokenLifetime: cl.IDTokenLifetime, AccessTokenLifetime: cl.AccessTokenLifetime,
		Profile: cl.Profile, RequirePAR: cl.RequirePushedAuthorizationRequests,
		RequireSignedRequest: cl.RequireSignedRequestObject, RequestObjectAlg: cl.RequestObjectSigningAlg,
	}
	if cl.CIBA != (config.CIBA{}) {
		cs.CIBA = &CIBA{RequireReason: cl.CIBA.RequireReason}
	}
	return cs
}

// EnabledClients wraps the provider's store so a disabled client is unknown to
// it: no login, no token, no introspection, until an admin enables it again.
func EnabledClients(s storage.Storage) storage.Storage { return enabledClients{s} }

type enabledClients struct{ storage.Storage }

func (e enabledClients) GetClient(ctx context.Context, id string) (storage.Client, error) {
	rec, err := e.Storage.GetClient(ctx, id)
	if err != nil {
		return rec, err
	}
	if d, err := storage.DecodeClientDocument(rec.Settings); err == nil && d.Disabled {
		return storage.Client{}, fmt.Errorf("client %s is disabled: %w", id, storage.ErrNotFound)
	}
	return rec, nil
}

func viewOf(rec storage.Client) (Client, error) {
	cl, err := provider.DecodeClient(rec)
	if err != nil {
		return Client{}, err
	}
	return Client{ClientSettings: settingsOf(cl), Disabled: cl.Disabled, Source: rec.Source, ReadOnly: rec.Source == SourceConfig,
		SecretSet: cl.SecretHash != "", CreatedAt: rec.CreatedAt.UTC().Format(timeFormat), UpdatedAt: rec.UpdatedAt.UTC().Format(timeFormat)}, nil
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// Client sources.
const (
	SourceConfig = "config"
	SourceAPI    = "api"
)
