package provider

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/themes"
)

// respondSuccess issues the code and sends the browser back to the relying party.
func (s *Server) respondSuccess(w http.ResponseWriter, r *http.Request, a *authRequest) {
	code, err := op.CreateAuthRequestCode(r.Context(), a, opStorage{s}, s.op.Crypto())
	if err != nil {
		s.logger.ErrorContext(r.Context(), "issue authorization code", "error", err, "auth_request", a)
		s.respondError(w, r, a.state.Params, oidc.ErrServerError().WithDescription("the authorization code could not be issued"))
		return
	}
	s.sendToClient(w, r, a.state.Params, url.Values{"code": {code}})
}

// respondError sends an OIDC error to the relying party's registered redirect_uri.
// Callers must only use it once client and redirect_uri are validated.
func (s *Server) respondError(w http.ResponseWriter, r *http.Request, p authParams, err error) {
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
func (s *Server) sendToClient(w http.ResponseWriter, r *http.Request, p authParams, v url.Values) {
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
