package simcore

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// AuthRequest is a parsed authorization request.
type AuthRequest struct {
	ClientID            string
	RedirectURI         string
	ResponseType        string
	Scopes              []string
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	ACRValues           []string
	LoginHint           string
	UILocales           string
	Prompt              string
	// Params holds every parameter as received (from the request object when one
	// was used); values that were not strings are JSON.
	Params map[string]string
	// RequestObject is true when the parameters came from a verified signed
	// request object.
	RequestObject bool
	// Method is what the person picked on the page among Rules.Banks; "" when
	// the eID has no choice or nobody was asked (AutoApprove).
	Method string
}

// HasScope reports whether the request asked for scope.
func (r *AuthRequest) HasScope(scope string) bool { return slices.Contains(r.Scopes, scope) }

func newAuthRequest(params map[string]string, fromRequestObject bool) *AuthRequest {
	return &AuthRequest{
		ClientID:            params["client_id"],
		RedirectURI:         params["redirect_uri"],
		ResponseType:        params["response_type"],
		Scopes:              strings.Fields(params["scope"]),
		State:               params["state"],
		Nonce:               params["nonce"],
		CodeChallenge:       params["code_challenge"],
		CodeChallengeMethod: params["code_challenge_method"],
		ACRValues:           strings.Fields(params["acr_values"]),
		LoginHint:           params["login_hint"],
		UILocales:           params["ui_locales"],
		Prompt:              params["prompt"],
		Params:              params,
		RequestObject:       fromRequestObject,
	}
}

// readParams returns the request's parameters: the query's, or, when a request
// object is given, only the request object's (RFC 9101 §6.3), after checking that
// the named client signed it for this issuer.
func (s *Server) readParams(q url.Values) (map[string]string, bool, error) {
	params := map[string]string{}
	for k := range q {
		params[k] = q.Get(k)
	}
	raw := q.Get("request")
	if raw == "" {
		if q.Has("request_uri") {
			return nil, false, &OAuthError{Code: "request_uri_not_supported", Description: "request_uri is not supported"}
		}
		return params, false, nil
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object is not an RS256 JWS: " + err.Error()}
	}
	var unverified map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &unverified); err != nil {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object payload is not JSON"}
	}
	clientID, _ := unverified["client_id"].(string)
	if qid := q.Get("client_id"); qid != "" && qid != clientID {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "client_id differs between query and request object"}
	}
	c := s.client(clientID)
	if c == nil {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object names an unknown client"}
	}
	key := clientKey(c.JWKS, "sig")
	if key == nil {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "client has no signing key registered"}
	}
	payload, err := jws.Verify(key.Key)
	if err != nil {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object signature does not verify"}
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object payload is not JSON"}
	}
	if iss, _ := claims["iss"].(string); iss != clientID {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object iss is not the client"}
	}
	if !audienceContains(claims["aud"], s.issuer) {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object aud is not this issuer"}
	}
	if exp, ok := claims["exp"].(float64); ok && s.now().After(time.Unix(int64(exp), 0)) {
		return nil, false, &OAuthError{Code: "invalid_request_object", Description: "request object expired"}
	}
	fromObject := map[string]string{}
	for k, v := range claims {
		if str, ok := v.(string); ok {
			fromObject[k] = str
			continue
		}
		b, _ := json.Marshal(v)
		fromObject[k] = string(b)
	}
	return fromObject, true, nil
}

func audienceContains(aud any, want string) bool {
	switch v := aud.(type) {
	case string:
		return v == want
	case []any:
		for _, a := range v {
			if s, _ := a.(string); s == want {
				return true
			}
		}
	}
	return false
}

// checkCore applies the checks every upstream makes once the client and redirect
// URI are trusted.
func (s *Server) checkCore(req *AuthRequest) error {
	rules := s.profile.Rules()
	switch {
	case req.ResponseType != "code":
		return &OAuthError{Code: "unsupported_response_type", Description: fmt.Sprintf("response_type %q; only code", req.ResponseType)}
	case !req.HasScope("openid"):
		return &OAuthError{Code: "invalid_scope", Description: "scope must include openid"}
	case rules.RequireRequestObject && !req.RequestObject:
		return InvalidRequest("a signed request object is required")
	case req.CodeChallengeMethod != "" && req.CodeChallengeMethod != "S256":
		return InvalidRequest("code_challenge_method must be S256")
	case req.CodeChallengeMethod != "" && req.CodeChallenge == "":
		return InvalidRequest("code_challenge is missing")
	case req.CodeChallenge != "" && req.CodeChallengeMethod != "S256":
		return InvalidRequest("code_challenge_method must be S256")
	case rules.RequirePKCE && req.CodeChallenge == "":
		return InvalidRequest("PKCE with S256 is required")
	}
	return s.profile.CheckAuthorize(req)
}
