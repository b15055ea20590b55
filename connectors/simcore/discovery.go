package simcore

import (
	"encoding/json"
	"net/http"

	"github.com/go-jose/go-jose/v4"
)

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	rules := s.profile.Rules()
	meta := map[string]any{
		"issuer":                                           s.issuer,
		"authorization_endpoint":                           s.endpoint("/authorize"),
		"token_endpoint":                                   s.endpoint("/token"),
		"userinfo_endpoint":                                s.endpoint("/userinfo"),
		"jwks_uri":                                         s.endpoint("/jwks"),
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         []string{"query"},
		"grant_types_supported":                            []string{"authorization_code"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"token_endpoint_auth_methods_supported":            rules.ClientAuthMethods,
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS256"},
		"request_parameter_supported":                      true,
		"request_object_signing_alg_values_supported":      []string{"RS256"},
		"authorization_response_iss_parameter_supported":   true,
		"scopes_supported":                                 rules.Scopes,
		"acr_values_supported":                             rules.ACRValues,
	}
	if rules.EncryptTokens {
		meta["id_token_encryption_alg_values_supported"] = []string{"RSA-OAEP", "RSA-OAEP-256"}
		meta["id_token_encryption_enc_values_supported"] = []string{"A128CBC-HS256"}
		meta["userinfo_encryption_alg_values_supported"] = []string{"RSA-OAEP", "RSA-OAEP-256"}
		meta["userinfo_encryption_enc_values_supported"] = []string{"A128CBC-HS256"}
	}
	if rules.UserinfoJWT || rules.EncryptTokens {
		meta["userinfo_signing_alg_values_supported"] = []string{"RS256"}
	}
	for k, v := range rules.Metadata {
		meta[k] = v
	}
	writeJSON(w, http.StatusOK, meta)
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &s.key.PublicKey, KeyID: s.kid, Use: "sig", Algorithm: string(jose.RS256),
	}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

func writeOAuthError(w http.ResponseWriter, status int, e *OAuthError) {
	writeJSON(w, status, map[string]string{"error": e.Code, "error_description": e.Description})
}
