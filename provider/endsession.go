package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
	"github.com/portvakt/portvakt/themes"
)

// logoutRequest is a checked RP-Initiated Logout request.
type logoutRequest struct {
	client      *Client // nil when the request names no client
	subject     string  // from a verified id_token_hint; empty without one
	redirectURI string  // post_logout_redirect_uri, exactly as registered
	state       string
	uiLocales   []string
}

// endSession serves RP-Initiated Logout itself rather than through the op
// library, which ends the session on any GET and revokes the person's tokens in
// every browser.
//
// A valid id_token_hint ends at once, but only this browser's login of that
// person at that client and only the tokens this browser got for it. Without a
// hint the request may come from any site: the person confirms on a page, and
// only the POST of that page's form, with its CSRF token, ends the session.
func (s *browserSessions) endSession(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "error.logout", fmt.Errorf("end_session form: %w", err))
		return
	}
	ctx := r.Context()
	req, messageKey, err := s.logoutRequest(ctx, r.Form)
	switch {
	case err != nil && messageKey == "":
		s.unavailablePage(w, r, err)
		return
	case err != nil:
		s.errorPage(w, r, http.StatusBadRequest, messageKey, err)
		return
	}
	switch {
	case req.subject != "":
		err = s.endLogin(ctx, r, req.client.ID, req.subject)
	case r.Method == http.MethodPost && s.validLogoutCSRF(r):
		err = s.endBrowserSession(ctx, r)
	case r.Method == http.MethodPost:
		s.errorPage(w, r, http.StatusForbidden, "error.session", errors.New("logout without a valid csrf token"))
		return
	default:
		s.logoutConfirmPage(w, r, req)
		return
	}
	if err != nil {
		s.unavailablePage(w, r, err)
		return
	}
	if req.redirectURI == "" {
		redirect(w, r, "/logged-out")
		return
	}
	target, _ := url.Parse(req.redirectURI) // parsed when it was registered
	if req.state != "" {
		q := target.Query()
		q.Set("state", req.state)
		target.RawQuery = q.Encode()
	}
	redirect(w, r, target.String())
}

// logoutRequest checks the parameters. A request that fails returns the message
// key for the error page; an empty key with an error means the database failed.
func (s *browserSessions) logoutRequest(ctx context.Context, f url.Values) (logoutRequest, string, error) {
	req := logoutRequest{state: f.Get("state"), uiLocales: strings.Fields(f.Get("ui_locales"))}
	clientID := f.Get("client_id")
	if raw := f.Get("id_token_hint"); raw != "" {
		hinted, subject, err := s.verifyLogoutHint(ctx, raw)
		if err != nil {
			return req, "error.logout", err
		}
		if clientID != "" && clientID != hinted {
			return req, "error.logout", fmt.Errorf("id_token_hint is for %q, the request names %q", hinted, clientID)
		}
		clientID, req.subject = hinted, subject
	}
	if clientID != "" {
		c, err := s.clients.Get(ctx, clientID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return req, "error.unknown_client", fmt.Errorf("end_session for unknown client %q", clientID)
		case err != nil:
			return req, "", err
		}
		req.client = c
	}
	if uri := f.Get("post_logout_redirect_uri"); uri != "" {
		if req.client == nil || !slices.Contains(req.client.PostLogoutRedirectURIs, uri) {
			return req, "error.bad_redirect", errors.New("post_logout_redirect_uri is not registered for the client")
		}
		req.redirectURI = uri
	}
	return req, "", nil
}

// verifyLogoutHint checks an ID token the broker issued (signature and issuer;
// expiry is ignored, as RP-Initiated Logout allows) and returns the client it
// was issued to and its subject.
func (s *browserSessions) verifyLogoutHint(ctx context.Context, raw string) (clientID, subject string, err error) {
	claims, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, raw, s.idTokenHintVerifier())
	if err != nil && !errors.As(err, &op.IDTokenHintExpiredError{}) {
		return "", "", fmt.Errorf("id_token_hint: %w", err)
	}
	aud := claims.GetAudience()
	clientID = claims.GetAuthorizedParty()
	if clientID == "" && len(aud) == 1 {
		clientID = aud[0]
	}
	if clientID == "" || !slices.Contains(aud, clientID) || claims.GetSubject() == "" {
		return "", "", fmt.Errorf("id_token_hint: audience %v does not name its client", aud)
	}
	return clientID, claims.GetSubject(), nil
}

// endLogin ends one person's login at one client in this browser: the single
// sign-on the browser keeps for it and the tokens this browser got for it.
func (s *browserSessions) endLogin(ctx context.Context, r *http.Request, clientID, subject string) error {
	if err := s.revokeSessionTokens(ctx, r, clientID, subject); err != nil {
		return err
	}
	if l, ok := s.rememberedLogin(ctx, clientID); ok && l.Subject == subject {
		s.sessions.Remove(ctx, ssoKey(clientID))
		return s.sessions.RenewToken(ctx)
	}
	return nil
}

// endBrowserSession ends every login this browser keeps, with their tokens.
func (s *browserSessions) endBrowserSession(ctx context.Context, r *http.Request) error {
	for _, key := range s.sessions.Keys(ctx) {
		clientID, ok := strings.CutPrefix(key, ssoKey(""))
		if !ok {
			continue
		}
		if l, ok := s.rememberedLogin(ctx, clientID); ok {
			if err := s.revokeSessionTokens(ctx, r, clientID, l.Subject); err != nil {
				return err
			}
		}
	}
	return s.sessions.Destroy(ctx)
}

func (s *browserSessions) revokeSessionTokens(ctx context.Context, r *http.Request, clientID, subject string) error {
	binding, ok := s.browserCookie(r)
	if !ok {
		return nil // a browser without the binding got no tokens the broker can tell apart
	}
	if _, err := s.store.RevokeTokensOfSession(ctx, clientID, subject, tokenSession(hashHex(binding)), s.now()); err != nil {
		return fmt.Errorf("revoke tokens at logout: %w", err)
	}
	return nil
}

// tokenSession is what a token records of the browser that got it: derived from
// the login's browser binding, so the tokens table cannot be matched against it.
func tokenSession(browser string) string {
	if browser == "" {
		return ""
	}
	return hashHex("token-session\x00" + browser)
}

func (s *browserSessions) logoutCSRF(browser string) string {
	return s.formToken("end_session", browser)
}

func (s *browserSessions) validLogoutCSRF(r *http.Request) bool {
	binding, ok := s.browserCookie(r)
	return ok && validFormToken(r, s.logoutCSRF(hashHex(binding)))
}

// logoutConfirmPage asks the person whether to log out; the form carries the
// request on to the POST.
func (s *browserSessions) logoutConfirmPage(w http.ResponseWriter, r *http.Request, req logoutRequest) {
	browser := s.browserBinding(w, r)
	page := themes.LogoutPage{Page: s.pageFor(w, r, req.uiLocales, "logout.confirm.title"), Action: "/end_session"}
	page.CSRFToken = s.logoutCSRF(browser)
	if req.client != nil {
		page.Theme = s.clientTheme(req.client)
		page.Fields = append(page.Fields, [2]string{"client_id", req.client.ID})
	}
	for _, f := range [][2]string{{"post_logout_redirect_uri", req.redirectURI}, {"state", req.state}, {"ui_locales", strings.Join(req.uiLocales, " ")}} {
		if f[1] != "" {
			page.Fields = append(page.Fields, f)
		}
	}
	// Switching language must not lose where the person goes after the logout.
	for i, l := range page.Languages {
		q := url.Values{"lang": {l.Code}}
		for _, f := range page.Fields {
			q.Set(f[0], f[1])
		}
		page.Languages[i].URL = "/end_session?" + q.Encode()
	}
	s.render(w, http.StatusOK, "logout.html", page)
}
