package provider

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// discoveryDocument extends the standard metadata with what the library does not
// know the broker does (RFC 9207 iss, acr values, claims), and leaves out what it
// does not do.
type discoveryDocument struct {
	*oidc.DiscoveryConfiguration
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
	requestDiscovery
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	d := &oidc.DiscoveryConfiguration{
		Issuer:                s.issuer,
		AuthorizationEndpoint: s.issuer + "/authorize",
		TokenEndpoint:         s.issuer + tokenPath,
		IntrospectionEndpoint: s.issuer + "/oauth/introspect",
		UserinfoEndpoint:      s.issuer + "/userinfo",
		RevocationEndpoint:    s.issuer + "/revoke",
		EndSessionEndpoint:    s.issuer + "/end_session",
		JwksURI:               s.issuer + "/keys",
	}
	d.IDTokenSigningAlgValuesSupported = s.cfg.Keys.Algorithms
	// As the library advertised it: what client libraries default to for private_key_jwt.
	assertionAlgs := []string{"RS256"}
	d.TokenEndpointAuthSigningAlgValuesSupported = assertionAlgs
	d.RevocationEndpointAuthSigningAlgValuesSupported = assertionAlgs
	d.IntrospectionEndpointAuthSigningAlgValuesSupported = assertionAlgs
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeClientCredentials}
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{"query", "form_post"}
	d.SubjectTypesSupported = []string{"pairwise", "public"}
	d.ScopesSupported = []string{scopeOpenID, scopeProfile, scopeNationalID, scopeEvidence}
	d.ClaimsSupported = []string{
		"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash",
		"idp", "idp_acr", "name", "given_name", "family_name", "birthdate", "national_id", "country", "evidence",
	}
	d.ClaimsParameterSupported = true
	d.ACRValuesSupported = supportedACRValues(s.flow.options)
	d.TokenEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodPrivateKeyJWT, oidc.AuthMethodNone}
	d.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	d.RequestParameterSupported = true
	d.RequestURIParameterSupported = false // only PAR's request_uri, which needs no flag
	d.RequestObjectSigningAlgValuesSupported = requestObjectSigningAlgs()
	d.UILocalesSupported = uiLocales()
	d.ClaimsLocalesSupported = nil
	d.DisplayValuesSupported = []oidc.Display{"page", "popup", "touch"}
	d.RevocationEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodPrivateKeyJWT}
	d.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodPrivateKeyJWT}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSONCacheable(w, discoveryDocument{DiscoveryConfiguration: d, AuthorizationResponseIssParameterSupported: true, requestDiscovery: s.requestDiscovery()})
}

func writeJSONCacheable(w http.ResponseWriter, v any) {
	cc := w.Header().Get("Cache-Control")
	writeJSON(w, http.StatusOK, v)
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
}
