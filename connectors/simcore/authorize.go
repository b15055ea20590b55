package simcore

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/portvakt/portvakt/internal/randid"
)

const csrfCookie = "sim_csrf"

// authorize validates the request, then either shows the page that plays the eID
// or, with AutoApprove, answers at once.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, nil, "error.bad_request", "unreadable request")
		return
	}
	params, fromObject, err := s.readParams(r.Form)
	if err != nil {
		s.badRequest(w, r, nil, "error.bad_request", err.Error())
		return
	}
	req := newAuthRequest(params, fromObject)
	c := s.client(req.ClientID)
	if c == nil {
		s.badRequest(w, r, req, "error.bad_request", "unknown client_id")
		return
	}
	if !slices.Contains(c.RedirectURIs, req.RedirectURI) {
		s.badRequest(w, r, req, "error.bad_request", "redirect_uri is not registered for this client")
		return
	}
	// From here on the redirect URI is trusted, so errors go back to the client.
	if err := s.checkCore(req); err != nil {
		var oe *OAuthError
		if !errors.As(err, &oe) {
			oe = &OAuthError{Code: "server_error", Description: err.Error()}
		}
		s.redirectError(w, r, req, oe)
		return
	}
	hinted := s.profile.HintedUser(req)
	if s.auto {
		u, ok := s.pickUser(hinted)
		if !ok {
			s.redirectError(w, r, req, &OAuthError{Code: "access_denied", Description: "no such test user"})
			return
		}
		s.approve(w, r, req, u)
		return
	}
	txn := randid.String(18)
	s.mu.Lock()
	s.purgeExpiredLocked()
	s.pending[txn] = &pending{req: req, expires: s.now().Add(pendingLifetime)}
	s.mu.Unlock()
	s.renderPage(w, r, txn, req)
}

// decide takes the person's choice from the page.
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.badRequest(w, r, nil, "error.bad_request", "unreadable form")
		return
	}
	cookie, err := r.Cookie(csrfCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(cookie.Value), []byte(r.PostForm.Get("csrf"))) != 1 {
		s.badRequest(w, r, nil, "error.csrf", "CSRF check failed")
		return
	}
	txn := r.PostForm.Get("txn")
	s.mu.Lock()
	p := s.pending[txn]
	delete(s.pending, txn)
	s.mu.Unlock()
	if p == nil || s.now().After(p.expires) {
		s.badRequest(w, r, nil, "error.expired", "")
		return
	}
	if r.PostForm.Get("action") != "approve" {
		s.redirectError(w, r, p.req, &OAuthError{Code: "access_denied", Description: s.cancelDescription()})
		return
	}
	u, ok := s.pickUser(r.PostForm.Get("user"))
	if !ok {
		s.badRequest(w, r, p.req, "error.unknown_user", "")
		return
	}
	p.req.Method = s.pickBank(r.PostForm.Get("method"))
	s.approve(w, r, p.req, u)
}

// pickBank is the bank the person picked, or the first when the form names none
// the page offered.
func (s *Server) pickBank(id string) string {
	banks := s.profile.Rules().Banks
	for _, b := range banks {
		if b.ID == id {
			return id
		}
	}
	if len(banks) > 0 {
		return banks[0].ID
	}
	return ""
}

func (s *Server) cancelDescription() string {
	if d := s.profile.Rules().CancelDescription; d != "" {
		return d
	}
	return "the user cancelled"
}

// pickUser finds the user named by key, or the first user when key is "".
func (s *Server) pickUser(key string) (User, bool) {
	if key == "" {
		return s.users[0], true
	}
	for _, u := range s.users {
		if u.matches(key) {
			return u, true
		}
	}
	return User{}, false
}

// approve issues a code for u and sends the browser back to the client.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req *AuthRequest, u User) {
	level := s.profile.Level(req)
	if f := s.currentFaults(); f.ReturnLevel != "" {
		level = f.ReturnLevel
	}
	idClaims, uiClaims := s.profile.Claims(req, u, level)
	now := s.now()
	g := &grant{
		req: req, user: u, sub: s.profile.Subject(req, u), authTime: now,
		expires: now.Add(codeLifetime), idClaims: idClaims, uiClaims: uiClaims,
	}
	code := randid.String(24)
	s.mu.Lock()
	s.purgeExpiredLocked()
	s.codes[code] = g
	s.mu.Unlock()
	s.redirect(w, r, req, url.Values{"code": {code}})
}

func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, req *AuthRequest, e *OAuthError) {
	s.redirect(w, r, req, url.Values{"error": {e.Code}, "error_description": {e.Description}})
}

func (s *Server) redirect(w http.ResponseWriter, r *http.Request, req *AuthRequest, v url.Values) {
	u, err := url.Parse(req.RedirectURI)
	if err != nil {
		s.badRequest(w, r, req, "error.bad_request", "redirect_uri is not a URL")
		return
	}
	q := u.Query()
	for k := range v {
		q.Set(k, v.Get(k))
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	q.Set("iss", s.issuer)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound) //nolint:gosec // G710: u is the redirect URI the client registered, checked before
}

// purgeExpiredLocked drops pages, codes, tokens and assertion ids nobody can use
// any more, so a long-running simulator stays small. Every lookup checks expiry
// itself, so the sweep runs at most once per purgeInterval: a sweep per login
// would cost time in proportion to the logins of the last minutes.
func (s *Server) purgeExpiredLocked() {
	now := s.now()
	if now.Sub(s.lastPurge) < purgeInterval {
		return
	}
	s.lastPurge = now
	for k, p := range s.pending {
		if now.After(p.expires) {
			delete(s.pending, k)
		}
	}
	for k, g := range s.codes {
		if now.After(g.expires) {
			delete(s.codes, k)
		}
	}
	for k, g := range s.tokens {
		if now.After(g.expires) {
			delete(s.tokens, k)
		}
	}
	for j, until := range s.jtis {
		if now.After(until) {
			delete(s.jtis, j)
		}
	}
}
