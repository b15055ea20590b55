package provider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/internal/httpauth"
)

// jwtParameters are the request parameters that may carry a JWT the op library
// decodes before it verifies the signature.
var jwtParameters = []string{"id_token_hint", "client_assertion", "access_token", "token"}

// errMalformedAudience names the one JWT shape the library cannot decode safely.
var errMalformedAudience = errors.New("a JWT's aud holds something other than strings")

// guardJWTs refuses requests carrying a JWT whose aud array holds a non-string:
// the op library decodes JWT claims before checking signatures, and its Audience
// type panics on such a value (client assertions, id_token_hint, bearer tokens).
// Every other request passes unchanged; the body is read and put back.
func (s *Server) guardJWTs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := checkRequestJWTs(r); err != nil {
			if tooLarge(err) {
				s.refuseRequest(w, r, http.StatusRequestEntityTooLarge, errBodyTooLarge())
				return
			}
			if r.URL.Path == "/authorize" {
				s.errorPage(w, r, http.StatusBadRequest, "error.invalid_request", err)
				return
			}
			op.RequestError(w, r, oidc.ErrInvalidRequest().WithDescription("malformed JWT: aud must be a string or an array of strings"), nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func checkRequestJWTs(r *http.Request) error {
	values, _ := url.ParseQuery(r.URL.RawQuery)
	if r.Body != nil && r.Method != http.MethodGet {
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			// limitBodies caps the body; past the cap the request is refused.
			body, err := io.ReadAll(r.Body)
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
			if tooLarge(err) {
				return err
			}
			if err == nil {
				form, _ := url.ParseQuery(string(body))
				for k, v := range form {
					values[k] = append(values[k], v...)
				}
			}
		}
	}
	candidates := []string{}
	for _, name := range jwtParameters {
		candidates = append(candidates, values[name]...)
	}
	// Any scheme, in any letter case: the library matches "bearer" without regard
	// to case (as RFC 9110 says), and a DPoP proof is a JWT too.
	if _, credentials, ok := httpauth.Split(r.Header.Get("Authorization")); ok {
		candidates = append(candidates, credentials)
	}
	candidates = append(candidates, r.Header.Values("DPoP")...)
	for _, c := range candidates {
		if !audienceDecodable(c) {
			return errMalformedAudience
		}
	}
	return nil
}

// audienceDecodable reports whether the library can decode the token's aud: true
// for anything that is not a three-part JWT with a JSON payload, and for an aud
// that is absent, a string, or an array of strings.
func audienceDecodable(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return true
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return true
	}
	var claims struct {
		Aud json.RawMessage `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil || len(claims.Aud) == 0 {
		return true
	}
	var list []any
	if json.Unmarshal(claims.Aud, &list) != nil {
		return true
	}
	for _, a := range list {
		if _, ok := a.(string); !ok {
			return false
		}
	}
	return true
}
