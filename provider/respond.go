package provider

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// respondSuccess issues the code of a finished login and sends the browser back to
// the relying party. Of two requests racing to answer, one issues the code; the
// other gets the page a reload gets.
func (s *logins) respondSuccess(w http.ResponseWriter, r *http.Request, a *authRequest) {
	var code string
	_, err := s.updateRecord(r.Context(), a, func(st *loginState, rec *storage.AuthRequest) error {
		if len(rec.CodeHash) > 0 {
			return errAnswered
		}
		code = s.issueCode(rec, &st.Params, s.now())
		return nil
	})
	switch {
	case errors.Is(err, errAnswered):
		s.loginErrorPage(w, r, a, http.StatusBadRequest, "error.session", err)
	case err != nil:
		s.logger.ErrorContext(r.Context(), "issue authorization code", "error", err, "auth_request", a)
		s.respondError(w, r, a.state.Params, oidc.ErrServerError().WithDescription("the authorization code could not be issued"))
	default:
		s.sendToClient(w, r, a.state.Params, url.Values{"code": {code}})
	}
}

// errAnswered: the login's client was already sent its code.
var errAnswered = errors.New("login already answered")

// issueCode mints the authorization code of a finished login into rec, so that
// the write storing rec issues it. Only its hash is stored; the code outlives
// neither its own lifetime nor the request (extended to it if need be).
func (s *logins) issueCode(rec *storage.AuthRequest, p *authParams, now time.Time) string {
	code := newSecret()
	sum := sha256.Sum256([]byte(code))
	rec.CodeHash = sum[:]
	rec.CodeExpiresAt = now.Add(s.codeLifetime(p))
	if rec.ExpiresAt.Before(rec.CodeExpiresAt) {
		rec.ExpiresAt = rec.CodeExpiresAt
	}
	return code
}

// respondError sends an OIDC error to the relying party's registered redirect_uri.
// Callers must only use it once client and redirect_uri are validated.
func (s *logins) respondError(w http.ResponseWriter, r *http.Request, p authParams, err error) {
	var e *oidc.Error
	if !errors.As(err, &e) {
		e = oidc.ErrServerError()
	}
	level := s.logger.Info
	if e.ErrorType == oidc.ServerError {
		level = s.logger.Error
	}
	level("authorization error sent to client", "client_id", p.ClientID, "error", e.ErrorType, "description", e.Description, "cause", e.Parent)
	v := url.Values{"error": {string(e.ErrorType)}}
	if e.Description != "" {
		v.Set("error_description", e.Description)
	}
	s.sendToClient(w, r, p, v)
}

// sendToClient adds state and the RFC 9207 iss to every authorization response,
// success or error, and delivers it as the request's response_mode asks.
func (s *logins) sendToClient(w http.ResponseWriter, r *http.Request, p authParams, v url.Values) {
	if p.State != "" {
		v.Set("state", p.State)
	}
	v.Set("iss", s.issuer)
	if p.ResponseMode == string(oidc.ResponseModeFormPost) {
		page := themes.FormPostPage{Page: s.page(r, p.UILocales, "formpost.title"), RedirectURI: p.RedirectURI}
		for _, k := range []string{"code", "error", "error_description", "state", "iss"} {
			if val := v.Get(k); val != "" {
				page.Params = append(page.Params, [2]string{k, val})
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		s.render(w, http.StatusOK, "form_post.html", page)
		return
	}
	target, err := url.Parse(p.RedirectURI)
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "error.bad_redirect", nil)
		return
	}
	q := target.Query()
	for k, vals := range v {
		q[k] = vals
	}
	target.RawQuery = q.Encode()
	redirect(w, r, target.String())
}

// redirect answers 303 after a POST (never 307, RFC 9700 §4.12) and 302 otherwise.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to, status)
}
