package storage

import (
	"encoding/json"
	"fmt"
)

// ClientDocumentFormat is the format of the client documents this broker
// writes. A change to ClientDocument's JSON that an older document cannot be
// read as raises it, and DecodeClientDocument migrates the older formats.
const ClientDocumentFormat = 1

// ClientDocument is what Client.Settings holds: a relying party's settings in
// the database's own format. Its JSON tags are the stored format and owe
// nothing to the configuration file or the admin API, which map to and from it
// explicitly; renaming a field here is a migration, not a refactor.
type ClientDocument struct {
	// Format is the document's format; documents written before it existed have
	// none and are format 1.
	Format int    `json:"format,omitempty"`
	ID     string `json:"id"`
	Name   string `json:"name"`

	Purpose string `json:"purpose,omitempty"`
	// SecretHash is the hex SHA-256 of the client's secret; the secret itself is
	// never stored.
	SecretHash  string         `json:"secret_hash,omitempty"`
	AuthMethod  string         `json:"token_endpoint_auth_method"`
	AuthMethods []string       `json:"token_endpoint_auth_methods,omitempty"`
	JWKS        map[string]any `json:"jwks,omitempty"`
	JWKSURL     string         `json:"jwks_uri,omitempty"`

	GrantTypes []string `json:"grant_types,omitempty"`
	// The CIBA delivery mode, ping endpoint and rules.
	BackchannelMode     string                `json:"backchannel_token_delivery_mode,omitempty"`
	BackchannelEndpoint string                `json:"backchannel_client_notification_endpoint,omitempty"`
	CIBA                *ClientCIBA           `json:"ciba,omitempty"`
	Roles               []string              `json:"roles,omitempty"`
	ResourceServer      *ClientResourceServer `json:"resource_server,omitempty"`
	ClientURI           string                `json:"client_uri,omitempty"`
	RedirectURIs        []string              `json:"redirect_uris,omitempty"`
	PostLogout          []string              `json:"post_logout_redirect_uris,omitempty"`
	Countries           []string              `json:"countries,omitempty"`
	EIDs                []string              `json:"eids,omitempty"`
	MinLoA              string                `json:"min_loa,omitempty"` // low, substantial or high
	Scopes              []string              `json:"scopes,omitempty"`
	SubjectType         string                `json:"subject_type,omitempty"`
	Sector              string                `json:"sector,omitempty"`
	IDTokenAlg          string                `json:"id_token_signed_response_alg,omitempty"`
	AccessFormat        string                `json:"access_token_format,omitempty"`
	Consent             bool                  `json:"consent,omitempty"`
	LoginHintPush       bool                  `json:"login_hint_push,omitempty"`
	LoginHintEmail      bool                  `json:"login_hint_email,omitempty"`
	DetailsTypes        []string              `json:"authorization_details_types,omitempty"`
	DPoPBound           bool                  `json:"dpop_bound_access_tokens,omitempty"`
	IDTokenEncAlg       string                `json:"id_token_encrypted_response_alg,omitempty"`
	IDTokenEncEnc       string                `json:"id_token_encrypted_response_enc,omitempty"`
	UserinfoEncAlg      string                `json:"userinfo_encrypted_response_alg,omitempty"`
	UserinfoEncEnc      string                `json:"userinfo_encrypted_response_enc,omitempty"`
	Theme               ClientTheme           `json:"theme"`
	Profile             string                `json:"profile,omitempty"`
	RequirePAR          bool                  `json:"require_pushed_authorization_requests,omitempty"`
	RequireSigned       bool                  `json:"require_signed_request_object,omitempty"`
	RequestAlg          string                `json:"request_object_signing_alg,omitempty"`
	// The lifetimes are Go duration strings ("1h0m0s").
	IDTokenLifetime     string `json:"id_token_lifetime,omitempty"`
	AccessTokenLifetime string `json:"access_token_lifetime,omitempty"`
	// Disabled is set by the file's disabled or the admin API's disable.
	Disabled bool `json:"disabled,omitempty"`
}

// ClientCIBA is a client's rules for caller verification.
type ClientCIBA struct {
	RequireReason bool `json:"require_reason,omitempty"`
}

// ClientResourceServer is the token audiences a resource server client serves.
type ClientResourceServer struct {
	Audiences []string `json:"audiences"`
}

// ClientTheme is a client's look on the login page.
type ClientTheme struct {
	DisplayName  string `json:"display_name,omitempty"`
	LogoURL      string `json:"logo_url,omitempty"`
	SupportURL   string `json:"support_url,omitempty"`
	PrimaryColor string `json:"primary_color,omitempty"`
	PrimaryText  string `json:"primary_text_color,omitempty"`
	Background   string `json:"background_color,omitempty"`
	CustomCSS    string `json:"custom_css,omitempty"`
}

// EncodeClientDocument is the stored JSON of d, in the current format.
func EncodeClientDocument(d ClientDocument) (json.RawMessage, error) {
	d.Format = ClientDocumentFormat
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode client %s: %w", d.ID, err)
	}
	return b, nil
}

// DecodeClientDocument reads a stored client document of any format this
// broker knows. A newer format is refused rather than read with its new
// fields dropped, which a later write would then lose.
func DecodeClientDocument(settings json.RawMessage) (ClientDocument, error) {
	var d ClientDocument
	if err := json.Unmarshal(settings, &d); err != nil {
		return ClientDocument{}, fmt.Errorf("decode client document: %w", err)
	}
	switch {
	case d.Format == 0:
		d.Format = 1
	case d.Format < 0 || d.Format > ClientDocumentFormat:
		return ClientDocument{}, fmt.Errorf("client %s: document format %d is not one this broker knows (it writes %d)", d.ID, d.Format, ClientDocumentFormat)
	}
	return d, nil
}
