package console

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// Sealer encrypts what the consoles store, bound to the row's key
// (*keys.Sealer).
type Sealer interface {
	Seal(plaintext, associatedData []byte) ([]byte, error)
	Open(sealed, associatedData []byte) ([]byte, error)
}

// Options configure one console's sign-in.
type Options struct {
	// Issuer is the broker the console signs in through (its own).
	Issuer string
	// ClientID and ClientSecret are the console's client at the broker.
	ClientID, ClientSecret string
	// Base is the console's URL: <issuer>/admin or <issuer>/agent. Its
	// callback is Base/callback; logout returns to Base/.
	Base string
	// Name tells this console's cookies and records from another's ("admin", "agent").
	Name string
	// ACRValues asks the broker for a level (default: substantial or higher).
	ACRValues string
	// Sessions keeps sessions and pending logins, sealed by Sealer.
	Sessions storage.Sessions
	Sealer   Sealer
	// PersonKey turns the national id an eID gave into the key roles are stored under.
	PersonKey func(nationalID string) string
	// Roles returns the roles a person holds now.
	Roles func(ctx context.Context, personKey string) ([]string, error)
	// HTTPClient reaches the broker's token endpoint and keys.
	HTTPClient *http.Client
	// Lifetime of a session (default 8 hours).
	Lifetime time.Duration
	Logger   *slog.Logger
	Now      func() time.Time
}

// SubjectKeyPrefix starts the key of a person the eID gave no national id.
const SubjectKeyPrefix = "sub:"

// pendingLifetime is how long a started sign-in may take.
const pendingLifetime = 15 * time.Minute

// SignIn is one console's sign-in through the broker.
type SignIn struct {
	o      Options
	origin string

	once     sync.Once
	provider *oidc.Provider
	initErr  error
}

// New returns the sign-in; it reaches the broker on first use, so it can be
// built before the broker listens.
func New(o Options) *SignIn {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Lifetime <= 0 {
		o.Lifetime = 8 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ACRValues == "" {
		o.ACRValues = "http://eidas.europa.eu/LoA/substantial"
	}
	origin := o.Issuer
	if u, err := url.Parse(o.Issuer); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	return &SignIn{o: o, origin: origin}
}

func (s *SignIn) oauth(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	s.once.Do(func() {
		s.provider, s.initErr = oidc.NewProvider(oidc.ClientContext(ctx, s.o.HTTPClient), s.o.Issuer)
	})
	if s.initErr != nil {
		return nil, nil, s.initErr
	}
	return s.provider, &oauth2.Config{
		ClientID: s.o.ClientID, ClientSecret: s.o.ClientSecret, Endpoint: s.provider.Endpoint(),
		RedirectURL: s.o.Base + "/callback", Scopes: []string{oidc.ScopeOpenID, "profile", "national_id"},
	}, nil
}

// Cookies: the session, and the binding of a sign-in in progress.
const (
	sessionCookie = "session"
	bindingCookie = "login"
)

// secure reports an https console: its cookies take the __Host- prefix.
func (s *SignIn) secure() bool { return strings.HasPrefix(s.o.Base, "https://") }

func (s *SignIn) cookieName(kind string) string {
	name := "pv_" + s.o.Name + "_" + kind
	if s.secure() {
		return "__Host-" + name
	}
	return name
}

// cookie is HttpOnly and Lax (the callback is a top-level GET coming back from
// the eID); under https Secure, host-only and for the whole path, so no
// sibling host or plain-http page can plant one. Browsers refuse the prefix on
// plain http, where dev mode runs: there the cookie is scoped to the console.
func (s *SignIn) cookie(kind, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: s.cookieName(kind), Value: value, MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode, Path: "/"}
	if s.secure() {
		c.Secure = true
	} else if u, err := url.Parse(s.o.Base); err == nil {
		c.Path = u.Path + "/"
	}
	return c
}

// Mount serves the sign-in under the console's path: GET login and callback,
// POST logout.
func (s *SignIn) Mount(mux *http.ServeMux, path string) {
	mux.HandleFunc("GET "+path+"/login", s.login)
	mux.HandleFunc("GET "+path+"/callback", s.callback)
	mux.HandleFunc("POST "+path+"/logout", s.logout)
}

func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

// login starts a code flow with PKCE S256, state and nonce, bound to this browser.
func (s *SignIn) login(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	_, cfg, err := s.oauth(r.Context())
	if err != nil {
		s.o.Logger.ErrorContext(r.Context(), "console sign-in: the broker's discovery", "console", s.o.Name, "error", err)
		http.Error(w, "sign-in is not available right now; try again", http.StatusServiceUnavailable)
		return
	}
	state, nonce, verifier := randid.New(), randid.New(), oauth2.GenerateVerifier()
	binding := randid.New()
	if c, err := r.Cookie(s.cookieName(bindingCookie)); err == nil && len(c.Value) >= 22 && len(c.Value) <= 64 {
		binding = c.Value // one binding per browser, so sign-ins in two tabs both finish
	}
	p := pending{Verifier: verifier, Nonce: nonce, Browser: hashText(binding), Expires: s.o.Now().Add(pendingLifetime)}
	if err := s.put(r.Context(), s.rowKey("pending", state), p, p.Expires); err != nil {
		s.o.Logger.ErrorContext(r.Context(), "console sign-in", "console", s.o.Name, "error", err)
		http.Error(w, "sign-in is not available right now; try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, s.cookie(bindingCookie, binding, int(pendingLifetime.Seconds())))
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("acr_values", s.o.ACRValues)}
	if lang := r.URL.Query().Get("lang"); lang != "" && len(lang) <= 8 {
		opts = append(opts, oauth2.SetAuthURLParam("ui_locales", lang))
	}
	http.Redirect(w, r, cfg.AuthCodeURL(state, opts...), http.StatusFound) //nolint:gosec // G710: the broker's own authorization endpoint
}

// callback checks iss (RFC 9207) and that the state is one this browser
// started, redeems the code, verifies the ID token and opens a session.
func (s *SignIn) callback(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	ctx := r.Context()
	q := r.URL.Query()
	if q.Get("iss") != s.o.Issuer {
		http.Error(w, "the response does not come from the broker", http.StatusBadRequest)
		return
	}
	binding, err := r.Cookie(s.cookieName(bindingCookie))
	if err != nil {
		http.Error(w, "this browser started no sign-in", http.StatusBadRequest)
		return
	}
	state := q.Get("state")
	if state == "" || len(state) > 64 {
		http.Error(w, "unknown, expired or used sign-in", http.StatusBadRequest)
		return
	}
	key := s.rowKey("pending", state)
	var p pending
	found, err := s.get(ctx, key, &p)
	if err != nil {
		s.fail(w, r, "read the sign-in", err)
		return
	}
	// Another browser's attempt leaves the sign-in to the browser that started it.
	if !found || s.o.Now().After(p.Expires) || !sameText(p.Browser, hashText(binding.Value)) {
		http.Error(w, "unknown, expired or used sign-in, or one another browser started", http.StatusBadRequest)
		return
	}
	if err := s.o.Sessions.DeleteSession(ctx, key); err != nil {
		s.fail(w, r, "read the sign-in", err)
		return
	}
	http.SetCookie(w, s.cookie(bindingCookie, "", -1))
	if e := q.Get("error"); e != "" {
		http.Redirect(w, r, s.o.Base+"/?"+url.Values{"error": {e}}.Encode(), http.StatusFound)
		return
	}
	person, idToken, err := s.redeem(ctx, q.Get("code"), p)
	if err != nil {
		s.fail(w, r, "redeem the code", err)
		return
	}
	token, err := s.newSession(ctx, person, r.UserAgent(), idToken)
	if err != nil {
		s.fail(w, r, "open a session", err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, token, int(s.o.Lifetime.Seconds())))
	http.Redirect(w, r, s.o.Base+"/", http.StatusFound)
}

// redeem exchanges the code and names the person by the verified ID token.
func (s *SignIn) redeem(ctx context.Context, code string, p pending) (Person, string, error) {
	ctx = oidc.ClientContext(ctx, s.o.HTTPClient)
	provider, cfg, err := s.oauth(ctx)
	if err != nil {
		return Person{}, "", err
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return Person{}, "", fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: s.o.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Person{}, "", fmt.Errorf("ID token: %w", err)
	}
	if !sameText(idt.Nonce, p.Nonce) {
		return Person{}, "", errors.New("ID token: nonce does not match the sign-in")
	}
	var claims struct {
		Name       string `json:"name"`
		NationalID string `json:"national_id"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Person{}, "", fmt.Errorf("ID token claims: %w", err)
	}
	person := Person{Name: claims.Name, Key: SubjectKeyPrefix + idt.Subject}
	if claims.NationalID != "" {
		person.Key = s.o.PersonKey(claims.NationalID)
	}
	return person, raw, nil
}

// logout ends the session here and at the broker (RP-initiated logout). It
// needs the session's CSRF token, so no other site can sign a person out.
func (s *SignIn) logout(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	c, err := r.Cookie(s.cookieName(sessionCookie))
	if err != nil {
		http.Redirect(w, r, s.o.Base+"/", http.StatusSeeOther)
		return
	}
	key := s.rowKey("session", c.Value)
	var sess session
	found, err := s.get(r.Context(), key, &sess)
	if err != nil {
		s.fail(w, r, "read the session", err)
		return
	}
	if found && !s.ValidCSRF(r, sess.Person) {
		http.Error(w, "the request does not carry this session's CSRF token", http.StatusForbidden)
		return
	}
	if err := s.o.Sessions.DeleteSession(r.Context(), key); err != nil {
		s.fail(w, r, "end the session", err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, "", -1))
	q := url.Values{"post_logout_redirect_uri": {s.o.Base + "/"}, "client_id": {s.o.ClientID}}
	if sess.IDToken != "" {
		q.Set("id_token_hint", sess.IDToken)
	}
	http.Redirect(w, r, s.o.Issuer+"/end_session?"+q.Encode(), http.StatusSeeOther)
}

func (s *SignIn) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.o.Logger.ErrorContext(r.Context(), "console sign-in: "+what, "console", s.o.Name, "error", err)
	http.Error(w, "sign-in failed; try again", http.StatusBadGateway)
}
