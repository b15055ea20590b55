package demo

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/themes"
)

// Choice is one "Log in with ..." button: a label and the acr_values it sends.
// The label is in the page's language: the eID's name (and country, "MitID
// (Denmark)") when EID is set, the message LabelID when that is, else Label as
// given.
type Choice struct {
	Label     string
	LabelID   string // a message id, such as "demo.choose"
	EID       *connectors.Info
	ACRValues string
}

// label is the choice's label in the page's language.
func (c Choice) label(t themes.Translator, lang string) string {
	switch {
	case c.EID != nil:
		return themes.EIDLabel(t, lang, *c.EID)
	case c.LabelID != "":
		return t(c.LabelID)
	}
	return c.Label
}

// Options configure the demo app.
type Options struct {
	Issuer       string // the broker
	ClientID     string
	ClientSecret string
	// Base is the demo's own URL, e.g. http://127.0.0.1:8080/demo.
	Base    string
	Choices []Choice
	Themes  *themes.Themes
	Logger  *slog.Logger
	// HTTPClient reaches the broker's back channel (token, userinfo, JWKS).
	HTTPClient *http.Client
	// MaxEntries caps the pending logins, and separately the sessions, the demo
	// keeps in memory (default 1000).
	MaxEntries int
	// Sign offers the "Sign an agreement" button (the client may request
	// signatures).
	Sign bool
	// EvidenceTrust is what the demo checks a signature's evidence against:
	// the eIDs' trust anchors. The broker's evidence keys it fetches itself,
	// from discovery's sign_evidence_jwks_uri; Keys, Issuer and Audience are
	// ignored (the broker and the demo's client are checked).
	EvidenceTrust evidence.VerifyOptions
}

// How long a started login may take, and how long a demo session lasts.
const (
	pendingLifetime = 15 * time.Minute
	sessionLifetime = time.Hour
)

// App is the demo relying party.
type App struct {
	o Options

	once     sync.Once
	provider *oidc.Provider
	initErr  error

	pending  *store[pendingLogin] // by state
	sessions *store[result]       // by session cookie

	evidenceKeys evidenceKeyCache
}

// pendingLogin is what a login keeps until its callback: the PKCE verifier, the
// nonce, and the browser that started it, so a callback in another browser (an
// attacker's code and state planted in the victim's) does not log that browser in.
type pendingLogin struct {
	verifier, nonce string
	browser         string
	// sign: the login is a signature, whose evidence the callback checks.
	sign bool
}

type result struct {
	claims   map[string]any
	userinfo map[string]any
	idToken  string
	signed   *signed
}

// New returns the demo app; it contacts the broker on first use, so it can be built
// before the broker listens.
func New(o Options) *App {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.MaxEntries <= 0 {
		o.MaxEntries = 1000
	}
	return &App{o: o, pending: newStore[pendingLogin](o.MaxEntries, pendingLifetime, time.Now),
		sessions: newStore[result](o.MaxEntries, sessionLifetime, time.Now)}
}

func (a *App) oauth(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	a.once.Do(func() {
		a.provider, a.initErr = oidc.NewProvider(oidc.ClientContext(ctx, a.o.HTTPClient), a.o.Issuer)
	})
	if a.initErr != nil {
		return nil, nil, a.initErr
	}
	return a.provider, &oauth2.Config{
		ClientID: a.o.ClientID, ClientSecret: a.o.ClientSecret, Endpoint: a.provider.Endpoint(),
		RedirectURL: a.o.Base + "/callback", Scopes: []string{oidc.ScopeOpenID, "profile", "national_id"},
	}, nil
}

// Handler serves /demo, /demo/login, /demo/callback and /demo/logout.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /demo", a.home)
	mux.HandleFunc("GET /demo/login", a.login)
	mux.HandleFunc("GET /demo/sign", a.sign)
	mux.HandleFunc("GET /demo/evidence", a.evidenceDownload)
	mux.HandleFunc("GET /demo/callback", a.callback)
	mux.HandleFunc("GET /demo/logout", a.logout)
	return mux
}

// Cookies: the session, and the browser binding of logins in progress.
const (
	sessionCookie = "pv_demo"
	bindingCookie = "pv_demo_login"
)

// cookie is a demo cookie: HttpOnly, Lax (the callback is a top-level GET from
// the broker). Under https it takes the __Host- prefix (Secure, this host only,
// whole path) as the broker's cookies do, so a sibling subdomain cannot plant
// one; browsers refuse the prefix on plain http, where dev mode runs.
func (a *App) cookie(name, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/demo", MaxAge: maxAge, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if strings.HasPrefix(a.o.Base, "https://") {
		c.Name, c.Path, c.Secure = "__Host-"+name, "/", true
	}
	return c
}

// readCookie reads a demo cookie by its name before any prefix.
func (a *App) readCookie(r *http.Request, name string) (*http.Cookie, error) {
	return r.Cookie(a.cookie(name, "", 0).Name)
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	page := a.page(w, r)
	if c, err := a.readCookie(r, sessionCookie); err == nil {
		if res, ok := a.sessions.get(c.Value); ok {
			page.LoggedIn = true
			page.Summary = summaryRows(page.T, page.Lang, a.eids(), res.claims)
			page.Claims = claimRows(res.claims)
			page.IDTokenJSON = pretty(res.claims)
			page.UserinfoJSON = pretty(res.userinfo)
			page.LogoutURL = a.o.Base + "/logout"
			if res.signed != nil {
				page.Signed = signedPanel(page.T, page.Lang, a, res.signed)
				page.Signed.DownloadURL = a.o.Base + "/evidence"
			}
		}
	}
	if e := r.URL.Query().Get("error"); e != "" {
		page.Error = e + ": " + r.URL.Query().Get("error_description")
	}
	a.render(w, page)
}

// langCookieName keeps the language picked with ?lang= for the pages after the
// login, which come back without it.
const langCookieName = "pv_demo_lang"

// page fills what every demo page shows. The login links carry the page's
// language as ui_locales, as an app passes its own language to the broker.
func (a *App) page(w http.ResponseWriter, r *http.Request) themes.DemoPage {
	explicit := r.URL.Query().Get("lang")
	if explicit != "" {
		http.SetCookie(w, a.cookie(langCookieName, url.QueryEscape(explicit), 0))
	} else if c, err := a.readCookie(r, langCookieName); err == nil {
		explicit, _ = url.QueryUnescape(c.Value)
	}
	lang := a.o.Themes.MatchLanguage(nil, r.Header.Get("Accept-Language"), explicit)
	t := a.o.Themes.Translator(lang)
	p := themes.DemoPage{Page: themes.Page{Lang: lang, T: t, Title: t("demo.title")}}
	for _, code := range themes.Languages() {
		p.Languages = append(p.Languages, themes.LanguageLink{Code: code, Name: themes.LanguageName(code), URL: "?lang=" + code, Current: code == lang})
	}
	for _, c := range a.o.Choices {
		q := url.Values{"ui_locales": {lang}}
		if c.ACRValues != "" {
			q.Set("acr_values", c.ACRValues)
		}
		p.Options = append(p.Options, themes.DemoOption{Label: c.label(t, lang), URL: a.o.Base + "/login?" + q.Encode()})
	}
	if a.o.Sign {
		p.SignURL = a.o.Base + "/sign?" + url.Values{"ui_locales": {lang}}.Encode()
	}
	return p
}

func (a *App) render(w http.ResponseWriter, page themes.DemoPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := a.o.Themes.Render(w, "demo.html", page); err != nil {
		a.o.Logger.Error("render demo page", "error", err)
	}
}

// login starts a code flow with PKCE S256, nonce and state.
func (a *App) login(w http.ResponseWriter, r *http.Request) { a.start(w, r, nil) }

// sign starts a code flow that asks the person to sign the sample agreement
// (an authorization_details entry of the signing type) in the page's language.
func (a *App) sign(w http.ResponseWriter, r *http.Request) {
	if !a.o.Sign {
		http.NotFound(w, r)
		return
	}
	lang := a.o.Themes.MatchLanguage(nil, r.Header.Get("Accept-Language"), r.URL.Query().Get("ui_locales"))
	details, err := json.Marshal(signDetails(a.o.Themes.Translator(lang)))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	a.start(w, r, []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("authorization_details", string(details))})
}

// start begins a login, or a signature when extra carries its
// authorization_details.
func (a *App) start(w http.ResponseWriter, r *http.Request, extra []oauth2.AuthCodeOption) {
	_, cfg, err := a.oauth(r.Context())
	if err != nil {
		http.Error(w, "the broker is not reachable: "+err.Error(), http.StatusBadGateway)
		return
	}
	state, nonce, verifier := randid.New(), randid.New(), oauth2.GenerateVerifier()
	binding := randid.New()
	if c, err := a.readCookie(r, bindingCookie); err == nil && len(c.Value) >= 22 {
		binding = c.Value // one binding per browser, so logins in two tabs both finish
	}
	http.SetCookie(w, a.cookie(bindingCookie, binding, int(pendingLifetime.Seconds())))
	a.pending.put(state, pendingLogin{verifier: verifier, nonce: nonce, browser: binding, sign: extra != nil})
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}, extra...)
	for _, k := range []string{"acr_values", "login_hint", "ui_locales", "prompt"} {
		if v := r.URL.Query().Get(k); v != "" {
			opts = append(opts, oauth2.SetAuthURLParam(k, v))
		}
	}
	http.Redirect(w, r, cfg.AuthCodeURL(state, opts...), http.StatusFound) //nolint:gosec // G710: the provider's own authorization endpoint; the forwarded values travel encoded in its query
}

// callback checks iss (RFC 9207), that state belongs to a login this browser
// started, redeems the code, verifies the ID token and reads userinfo.
func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("iss") != a.o.Issuer {
		http.Error(w, "the response's iss is not the broker", http.StatusBadRequest)
		return
	}
	binding, err := a.readCookie(r, bindingCookie)
	if err != nil {
		http.Error(w, "this browser started no login", http.StatusBadRequest)
		return
	}
	p, ok := a.pending.take(q.Get("state"))
	if !ok || subtle.ConstantTimeCompare([]byte(p.browser), []byte(binding.Value)) != 1 {
		http.Error(w, "unknown, expired or used state, or a login another browser started", http.StatusBadRequest)
		return
	}
	if e := q.Get("error"); e != "" {
		http.Redirect(w, r, a.o.Base+"?"+url.Values{"error": {e}, "error_description": {q.Get("error_description")}}.Encode(), http.StatusFound)
		return
	}
	ctx := oidc.ClientContext(r.Context(), a.o.HTTPClient)
	provider, cfg, err := a.oauth(ctx)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(p.verifier))
	if err != nil {
		http.Error(w, "code exchange failed: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: a.o.ClientID}).Verify(ctx, raw)
	if err != nil || idt.Nonce != p.nonce {
		http.Error(w, fmt.Sprintf("ID token rejected: %v", err), http.StatusBadGateway)
		return
	}
	res := result{idToken: raw}
	_ = idt.Claims(&res.claims)
	if p.sign {
		if res.signed, err = a.signedResult(ctx, tok); err != nil {
			http.Error(w, "signature rejected: "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	if ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		_ = ui.Claims(&res.userinfo)
	}
	sid := randid.New()
	a.sessions.put(sid, res)
	http.SetCookie(w, a.cookie(sessionCookie, sid, int(sessionLifetime.Seconds())))
	http.Redirect(w, r, a.o.Base, http.StatusFound)
}

// logout ends the demo session and the broker's (RP-initiated logout).
func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	var hint string
	if c, err := a.readCookie(r, sessionCookie); err == nil {
		res, _ := a.sessions.take(c.Value)
		hint = res.idToken
	}
	http.SetCookie(w, a.cookie(sessionCookie, "", -1))
	q := url.Values{"post_logout_redirect_uri": {a.o.Base}, "client_id": {a.o.ClientID}}
	if hint != "" {
		q.Set("id_token_hint", hint)
	}
	http.Redirect(w, r, a.o.Issuer+"/end_session?"+q.Encode(), http.StatusFound)
}

func claimRows(claims map[string]any) []themes.DemoClaim {
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]themes.DemoClaim, 0, len(keys))
	for _, k := range keys {
		v := claims[k]
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		if at, ok := timeClaim(claims, k); ok {
			s += " (" + at + ")"
		}
		out = append(out, themes.DemoClaim{Name: k, Value: s})
	}
	return out
}

// timeClaims are the claims that hold seconds since the epoch (RFC 7519, OIDC).
var timeClaims = []string{"iat", "exp", "nbf", "auth_time", "updated_at"}

// timeClaim formats a time claim as a date and time in UTC.
func timeClaim(claims map[string]any, name string) (string, bool) {
	seconds, ok := claims[name].(float64)
	if !ok || !slices.Contains(timeClaims, name) {
		return "", false
	}
	return time.Unix(int64(seconds), 0).UTC().Format("2006-01-02 15:04:05 UTC"), true
}

// summaryRows say who logged in, with which eID, at which level and when: what a
// person reads first, before the raw claims.
func summaryRows(t themes.Translator, lang string, eids map[string]connectors.Info, claims map[string]any) []themes.DemoClaim {
	text := func(name string) string { s, _ := claims[name].(string); return s }
	var rows []themes.DemoClaim
	add := func(labelID, value string) {
		if value != "" {
			rows = append(rows, themes.DemoClaim{Name: t(labelID), Value: value})
		}
	}
	add("consent.claim.name", text("name"))
	add("demo.eid", eidLabel(t, lang, eids, text("idp"), text("country")))
	if acr := text("acr"); acr != "" {
		level := acr[strings.LastIndex(acr, "/")+1:]
		if name := t("level." + level); name != "level."+level {
			acr = name
		}
		add("consent.claim.level", acr)
	}
	if at, ok := timeClaim(claims, "auth_time"); ok {
		add("demo.when", at)
	}
	return rows
}

// eidLabel is "MitID (Denmark)" for the idp and country claims, in the page's
// language: the name of the eID the buttons offer, else the idp as given.
func eidLabel(t themes.Translator, lang string, eids map[string]connectors.Info, idp, country string) string {
	if idp == "" {
		return ""
	}
	name := idp
	if info, ok := eids[idp]; ok {
		name = themes.EIDName(t, lang, info)
	}
	if country == "" {
		return name
	}
	return name + " (" + themes.CountryName(t, country) + ")"
}

// eids are the eIDs the buttons offer, by connector id.
func (a *App) eids() map[string]connectors.Info {
	out := map[string]connectors.Info{}
	for _, c := range a.o.Choices {
		if c.EID != nil {
			out[c.EID.ID] = *c.EID
		}
	}
	return out
}

func pretty(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
