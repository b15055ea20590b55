package provider

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/config"
)

// discoveryDocument extends the standard metadata with what the library does not
// know the broker does (RFC 9207 iss, acr values, claims), and leaves out what it
// does not do.
type discoveryDocument struct {
	*oidc.DiscoveryConfiguration
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
	backchannelMetadata
	requestDiscovery
	signDiscovery
	// DPoPSigningAlgValuesSupported: RFC 9449 §5.1.
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
}

// backchannelMetadata is CIBA's discovery metadata (CIBA §4), with the
// broker's own: the extension parameters of the backchannel endpoint and the
// eIDs that can verify a caller.
type backchannelMetadata struct {
	Endpoint          string   `json:"backchannel_authentication_endpoint"`
	DeliveryModes     []string `json:"backchannel_token_delivery_modes_supported"`
	SigningAlgs       []string `json:"backchannel_authentication_request_signing_alg_values_supported"`
	UserCodeSupported bool     `json:"backchannel_user_code_parameter_supported"`
	Parameters        []string `json:"portvakt_backchannel_parameters_supported"`
	EIDs              []string `json:"portvakt_backchannel_eids_supported"`
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
	d.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeClientCredentials, grantTypeCIBA}
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	d.ResponseModesSupported = []string{"query", "form_post"}
	d.SubjectTypesSupported = []string{"pairwise", "public"}
	d.ScopesSupported = []string{scopeOpenID, scopeProfile, scopeNationalID, scopeEvidence}
	d.ClaimsSupported = []string{
		"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash", "c_hash",
		"idp", "idp_acr", "name", "given_name", "family_name", "birthdate", "national_id", "country", "evidence", claimAuthReqID,
	}
	d.ClaimsParameterSupported = true
	d.IDTokenEncryptionAlgValuesSupported = config.EncryptionAlgorithms
	d.IDTokenEncryptionEncValuesSupported = config.EncryptionEncodings
	d.UserinfoSigningAlgValuesSupported = s.cfg.Keys.Algorithms
	d.UserinfoEncryptionAlgValuesSupported = config.EncryptionAlgorithms
	d.UserinfoEncryptionEncValuesSupported = config.EncryptionEncodings
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
	bc := backchannelMetadata{
		Endpoint: s.issuer + backchannelPath, DeliveryModes: []string{deliveryPoll, deliveryPing},
		SigningAlgs: []string{"PS256", "ES256", "RS256", "EdDSA"},
		Parameters:  []string{"call_initiator", "reason", "agent"},
		EIDs:        backchannelEIDs(s.flow.options),
	}
	sign := s.signDiscovery()
	if sign.DetailsTypes != nil {
		d.ClaimsSupported = append(d.ClaimsSupported, claimTxn, claimSignEvidenceID)
	}
	writeJSONCacheable(w, discoveryDocument{DiscoveryConfiguration: d, AuthorizationResponseIssParameterSupported: true, backchannelMetadata: bc,
		requestDiscovery:              s.requestDiscovery(),
		signDiscovery:                 sign,
		DPoPSigningAlgValuesSupported: dpopAlgorithmNames()})
}

func writeJSONCacheable(w http.ResponseWriter, v any) {
	cc := w.Header().Get("Cache-Control")
	writeJSON(w, http.StatusOK, v)
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
}
