package provider

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/evidence"
)

// Size caps on what a request may carry. A login keeps its parameters sealed in
// the database for the login lifetime, so without caps one request could park
// megabytes there. Each cap sits well above what client libraries send (state
// and nonce are usually 22 to 64 characters) and above what other providers
// accept (Connect2id: state 1,024 characters in a query response, nonce 128;
// Keycloak also caps every standard parameter), and far below what would cost
// anything.
const (
	// MaxFormBody caps the body of every broker endpoint: the form posts of
	// /authorize, /oauth/token, introspection, revocation, userinfo,
	// end_session and the login pages.
	MaxFormBody = 64 << 10
	// MaxAdminBody caps an admin API body: a client document with a 64 KiB
	// custom stylesheet and a JWKS fits.
	MaxAdminBody = 256 << 10

	// maxOtherParameter caps any parameter without a cap of its own (an upstream's
	// callback parameters, an encrypted ID token among them, are the largest).
	maxOtherParameter = 16 << 10
)

// parameterCap is the longest value, in bytes, a request parameter may have.
func parameterCap(name string) int {
	switch name {
	case "code_challenge", "code_verifier":
		return 128 // RFC 7636 §4.1
	case "prompt", "max_age", "response_type", "response_mode", "code_challenge_method", "display", "grant_type":
		return 64
	case "client_id":
		return 256
	case "ui_locales", "claims_locales":
		return 256
	case "login_hint":
		// Idura's signing alias carries the text: action:sign message:<base64>.
		return 8 << 10
	case "authorization_details":
		return evidence.MaxDetailsBytes
	case "nonce":
		return 512
	case "scope", "acr_values":
		return 1024
	case "state", "client_assertion_type":
		return 2048
	case "redirect_uri", "post_logout_redirect_uri":
		return config.MaxURLLength
	case "claims":
		return 4 << 10
	case "client_assertion", "token", "access_token", "code", "request", "request_uri":
		return 8 << 10
	case "id_token_hint", "id_token":
		// An ID token may carry the upstream's evidence (a BankID signature and
		// OCSP response) and an upstream's may be encrypted: both run to kilobytes.
		return 32 << 10
	}
	return maxOtherParameter
}

// oversizedParameter names the parameter (the first by name, for a stable
// message) whose value is longer than its cap, if any.
func oversizedParameter(form url.Values) (name string, limit int, found bool) {
	for k, values := range form {
		capK := parameterCap(k)
		for _, v := range values {
			if len(v) > capK && (!found || k < name) {
				name, limit, found = k, capK, true
			}
		}
	}
	return name, limit, found
}

// errParameterTooLong is the error a client sees for an oversized parameter.
func errParameterTooLong(name string, limit int) *oidc.Error {
	return oidc.ErrInvalidRequest().WithDescription("%s is longer than %d bytes", name, limit)
}

// limitBodies caps every request body at MaxFormBody: a handler reading past it
// gets an *http.MaxBytesError, which boundRequests and the handlers answer with
// 413.
func limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, MaxFormBody)
		}
		next.ServeHTTP(w, r)
	})
}

// boundRequests refuses a request whose form is over MaxFormBody (413) or has a
// parameter over its cap (400 invalid_request naming it). /authorize checks its
// own parameters, so that an error can go back to a client it has verified.
func (s *Server) boundRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/authorize" {
			next.ServeHTTP(w, r)
			return
		}
		// The form is parsed here once; a handler parsing it again would see no
		// error, so a malformed form is refused here too.
		switch err := r.ParseForm(); {
		case tooLarge(err):
			s.refuseRequest(w, r, http.StatusRequestEntityTooLarge, errBodyTooLarge())
			return
		case err != nil:
			s.refuseRequest(w, r, http.StatusBadRequest, oidc.ErrInvalidRequest().WithDescription("the request is not a valid form").WithParent(err))
			return
		}
		if name, limit, ok := oversizedParameter(r.Form); ok {
			s.refuseRequest(w, r, http.StatusBadRequest, errParameterTooLong(name, limit))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refuseRequest answers a browser page with an error page and an OAuth endpoint
// with a JSON error.
func (s *pages) refuseRequest(w http.ResponseWriter, r *http.Request, status int, e *oidc.Error) {
	if browserPath(r.URL.Path) {
		s.errorPage(w, r, status, "error.invalid_request", e)
		return
	}
	s.logger.InfoContext(r.Context(), "request refused", "path", r.URL.Path, "status", status, "description", e.Description)
	writeJSON(w, status, map[string]string{"error": string(e.ErrorType), "error_description": e.Description})
}

// browserPath reports whether a person's browser, not a client's code, calls the path.
func browserPath(path string) bool {
	return slices.ContainsFunc([]string{"/authorize", "/login/", "/callback/", "/end_session", "/logged-out"}, func(p string) bool {
		return strings.HasPrefix(path, p)
	})
}

func errBodyTooLarge() *oidc.Error {
	return oidc.ErrInvalidRequest().WithDescription("the request body is larger than %d bytes", MaxFormBody)
}

// tooLarge reports whether err comes from reading past a body's cap.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}
