package conformance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// goOIDCRP is a relying party as the go-oidc and x/oauth2 documentation builds
// one: state, nonce and PKCE kept per login, the ID token verified by go-oidc
// (signature, iss, aud, exp), then nonce, at_hash and auth_time against max_age
// checked by the application, as go-oidc leaves those to it.
type goOIDCRP struct {
	issuer   string
	provider *oidc.Provider
	cfg      oauth2.Config
	verifier *oidc.IDTokenVerifier
	maxAge   time.Duration

	mu     sync.Mutex
	logins map[string]goOIDCLogin // by state
}

type goOIDCLogin struct{ nonce, verifier string }

func (g *goOIDCRP) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
		g.mu.Lock()
		g.logins[state] = goOIDCLogin{nonce: nonce, verifier: verifier}
		g.mu.Unlock()
		http.Redirect(w, r, g.cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
			oauth2.SetAuthURLParam("max_age", fmt.Sprint(int(g.maxAge.Seconds()))),
			oauth2.SetAuthURLParam("acr_values", mitidACR)), http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		writeReport(w, g.callback(r))
	})
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "logged out, state %s", r.FormValue("state"))
	})
	return mux
}

func (g *goOIDCRP) callback(r *http.Request) rpReport {
	ctx := r.Context()
	fail := func(format string, args ...any) rpReport { return rpReport{Error: fmt.Sprintf(format, args...)} }
	if err := checkIssParam(r, g.issuer); err != nil {
		return fail("%v", err)
	}
	g.mu.Lock()
	login, ok := g.logins[r.FormValue("state")]
	delete(g.logins, r.FormValue("state"))
	g.mu.Unlock()
	if !ok {
		return fail("unknown state %q", r.FormValue("state"))
	}
	if e := r.FormValue("error"); e != "" {
		return fail("authorization error %s: %s", e, r.FormValue("error_description"))
	}
	tok, err := g.cfg.Exchange(ctx, r.FormValue("code"), oauth2.VerifierOption(login.verifier))
	if err != nil {
		return fail("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := g.verifier.Verify(ctx, rawID)
	if err != nil {
		return fail("verify ID token: %v", err)
	}
	if idt.Nonce != login.nonce {
		return fail("nonce %q, want %q", idt.Nonce, login.nonce)
	}
	if idt.AccessTokenHash == "" {
		return fail("ID token has no at_hash")
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		return fail("at_hash: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return fail("claims: %v", err)
	}
	authTime, ok := claims["auth_time"].(float64)
	if !ok {
		return fail("max_age was sent but the ID token has no auth_time")
	}
	if age := time.Since(time.Unix(int64(authTime), 0)); age > g.maxAge+5*time.Second {
		return fail("auth_time is %v old, more than max_age %v", age, g.maxAge)
	}
	info, err := g.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fail("userinfo: %v", err)
	}
	if info.Subject != idt.Subject {
		return fail("userinfo sub %q, ID token sub %q", info.Subject, idt.Subject)
	}
	var ui map[string]any
	if err := info.Claims(&ui); err != nil {
		return fail("userinfo claims: %v", err)
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = g.provider.Claims(&meta)
	return rpReport{Subject: idt.Subject, IDClaims: claims, Userinfo: ui, IDToken: rawID, AccessToken: tok.AccessToken, EndSessionTo: meta.EndSession}
}

func writeReport(w http.ResponseWriter, rep rpReport) {
	w.Header().Set("Content-Type", "application/json")
	if rep.Error != "" {
		w.WriteHeader(http.StatusUnauthorized)
	}
	_ = json.NewEncoder(w).Encode(rep)
}

// TestInteropGoOIDC logs in, reads userinfo and logs out with coreos/go-oidc and
// golang.org/x/oauth2.
func TestInteropGoOIDC(t *testing.T) {
	d := dev(t)
	const clientID, secret = "interop-go-oidc", "interop-go-oidc-secret-0123456789"
	p, err := oidc.NewProvider(context.Background(), d.issuer)
	if err != nil {
		t.Fatal(err)
	}
	g := &goOIDCRP{issuer: d.issuer, provider: p, maxAge: 5 * time.Minute, logins: map[string]goOIDCLogin{},
		verifier: p.Verifier(&oidc.Config{ClientID: clientID})}
	srv := interopRP(t, d, clientID, secret, func(base string) http.Handler {
		g.cfg = oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: p.Endpoint(),
			RedirectURL: base + "/callback", Scopes: []string{oidc.ScopeOpenID, "profile"}}
		return g.handler()
	})

	b := newBrowser(t)
	var rep rpReport
	status, body, _ := browse(t, b, srv.URL+"/login")
	rep.decode(t, status, body)
	if rep.Userinfo["name"] == nil || rep.IDClaims["acr"] == nil {
		t.Errorf("claims: ID token %v, userinfo %v", rep.IDClaims, rep.Userinfo)
	}

	logout := rep.EndSessionTo + "?" + url.Values{"id_token_hint": {rep.IDToken}, "client_id": {clientID},
		"post_logout_redirect_uri": {srv.URL + "/logged-out"}, "state": {"bye"}}.Encode()
	status, body, final := browse(t, b, logout)
	if status != http.StatusOK || final.String() != srv.URL+"/logged-out?state=bye" {
		t.Errorf("logout ended at %s (status %d): %.200s", final, status, body)
	}
	expectLoggedOut(t, d, b, clientID, srv.URL+"/callback", rep.AccessToken)
}
