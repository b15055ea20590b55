package provider

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// pages render the broker's HTML: the language, the shared page frame, a
// client's theme and the error pages every part shows.
type pages struct {
	*base
	themes  *themes.Themes
	simsURL string
}

const langCookie = "pv_lang"

// lang picks the page language: the switcher's choice, then ui_locales, then
// Accept-Language.
func (s *pages) lang(w http.ResponseWriter, r *http.Request, uiLocales []string) string {
	explicit := r.URL.Query().Get("lang")
	if explicit != "" && w != nil {
		http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: Secure whenever the issuer is https; dev mode runs on plain http
			Name: cookieName(s.secure, langCookie), Value: url.QueryEscape(explicit), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
	} else if c, err := r.Cookie(cookieName(s.secure, langCookie)); err == nil {
		explicit, _ = url.QueryUnescape(c.Value)
	}
	return s.themes.MatchLanguage(uiLocales, r.Header.Get("Accept-Language"), explicit)
}

// page fills what every page shares: language, translator, switcher links, title.
// titleArgs fill the title's placeholders ("EID", "BankID").
func (s *pages) page(r *http.Request, uiLocales []string, titleKey string, titleArgs ...any) themes.Page {
	return s.pageFor(nil, r, uiLocales, titleKey, titleArgs...)
}

func (s *pages) pageFor(w http.ResponseWriter, r *http.Request, uiLocales []string, titleKey string, titleArgs ...any) themes.Page {
	lang := s.lang(w, r, uiLocales)
	t := s.themes.Translator(lang)
	p := themes.Page{Lang: lang, T: t, Title: t(titleKey, titleArgs...), SimulatorsURL: s.simsURL}
	for _, code := range themes.Languages() {
		q := url.Values{"lang": {code}}
		p.Languages = append(p.Languages, themes.LanguageLink{
			Code: code, Name: themes.LanguageName(code), URL: r.URL.Path + "?" + q.Encode(), Current: code == lang,
		})
	}
	return p
}

// render writes a whole page or, if the template fails, a plain error: never half
// a page.
func (s *pages) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := s.themes.Render(&buf, name, data); err != nil {
		s.logger.Error("render page", "template", name, "error", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorPage shows a problem the broker cannot send to a relying party (unknown
// client, unregistered redirect_uri, a broken link). The cause goes to the log only,
// under the reference the page shows, so support can find it.
func (s *pages) errorPage(w http.ResponseWriter, r *http.Request, status int, messageKey string, cause error) {
	s.clientErrorPage(w, r, nil, status, messageKey, cause)
}

// loginErrorPage is errorPage for a login whose client is known: the page links
// back to the client's home.
func (s *pages) loginErrorPage(w http.ResponseWriter, r *http.Request, a *authRequest, status int, messageKey string, cause error) {
	client, err := s.clients.Get(r.Context(), a.state.Params.ClientID)
	if err != nil {
		// Without the client the page still has its reference.
		client = nil
	}
	s.clientErrorPage(w, r, client, status, messageKey, cause)
}

// clientErrorPage is errorPage with a way back to client's home; client may be nil.
func (s *pages) clientErrorPage(w http.ResponseWriter, r *http.Request, client *Client, status int, messageKey string, cause error) {
	if errors.Is(cause, storage.ErrUnavailable) {
		s.unavailablePage(w, r, cause)
		return
	}
	ref := newReference()
	s.logger.Info("error page", "reference", ref, "path", r.URL.Path, "message", messageKey, "cause", cause)
	page := themes.ErrorPage{Page: s.pageFor(w, r, nil, "error.title"), RequestID: ref}
	page.Heading = page.T("error.title")
	page.Message = page.T(messageKey)
	if client != nil {
		page.Theme = s.clientTheme(client)
		page.ReturnURL = client.Home()
	}
	s.render(w, status, "error.html", page)
}

// notFound answers every path the broker does not serve with its own page.
func (s *pages) notFound(w http.ResponseWriter, r *http.Request) {
	ref := newReference()
	s.logger.Info("page not found", "reference", ref, "path", r.URL.Path)
	page := themes.ErrorPage{Page: s.pageFor(w, r, nil, "error.not_found_title"), RequestID: ref}
	page.Heading = page.T("error.not_found_title")
	page.Message = page.T("error.not_found")
	s.render(w, http.StatusNotFound, "error.html", page)
}

// unavailablePage answers 503 when the database cannot be reached.
func (s *pages) unavailablePage(w http.ResponseWriter, r *http.Request, cause error) {
	ref := newReference()
	s.logger.Error("service unavailable", "reference", ref, "path", r.URL.Path, "error", cause)
	page := themes.ErrorPage{Page: s.pageFor(w, r, nil, "error.title"), RequestID: ref}
	page.Heading = page.T("error.title")
	page.Message = page.T("error.unavailable")
	w.Header().Set("Retry-After", "5")
	s.render(w, http.StatusServiceUnavailable, "error.html", page)
}
