package conformance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/testenv"
)

// The README promises that any certified OIDC library works with the demo client
// given only the issuer, client id, secret and redirect URI. These tests hold the
// most used libraries of three ecosystems to it, each with its defaults (openid-
// client's is TestInteropNodeOpenIDClient).

// TestInteropGoOIDCDefaults logs in to the demo client with golang.org/x/oauth2 and
// go-oidc as the README shows them: oauth2.Config's default AuthStyle (auto-detect).
func TestInteropGoOIDCDefaults(t *testing.T) {
	d := dev(t)
	ctx := context.Background()
	p, err := oidc.NewProvider(ctx, d.issuer)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{ClientID: devmode.DemoClientID, ClientSecret: devmode.DemoClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: d.redirectURI(), Scopes: []string{oidc.ScopeOpenID, "profile"}}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	req, _ := http.NewRequest(http.MethodGet, cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("acr_values", mitidACR)), nil)
	got := newBrowser(t).follow(&rp{redirectURI: d.redirectURI()}, req)
	if got.Params.Get("state") != state || got.Params.Get("iss") != d.issuer {
		t.Fatalf("authorization response %v (page %d %.200s)", got.Params, got.PageStatus, got.PageBody)
	}
	tok, err := cfg.Exchange(ctx, got.Params.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: devmode.DemoClientID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	info, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject {
		t.Errorf("userinfo: %v (sub %v, ID token sub %s)", err, info, idt.Subject)
	}
}

// authlibReport is what python/interop.py prints.
type authlibReport struct {
	OK           bool   `json:"ok"`
	Error        string `json:"error"`
	Trace        string `json:"trace"`
	Version      string `json:"version"`
	AuthMethod   string `json:"token_endpoint_auth_method"`
	Sub          string `json:"sub"`
	ACR          string `json:"acr"`
	HasAtHash    bool   `json:"has_at_hash"`
	UserinfoSub  string `json:"userinfo_sub"`
	UserinfoName string `json:"userinfo_name"`
}

// TestInteropAuthlibDefaults runs python/interop.py: Python's authlib, with its
// defaults, logs in to the demo client, checks the ID token and reads userinfo.
func TestInteropAuthlibDefaults(t *testing.T) {
	python := testenv.Python(t, "authlib", "requests")
	d := dev(t)
	dir, _ := filepath.Abs("python")
	var rep authlibReport
	if stderr, runErr := runInteropScript(t, d, dir, &rep, python, "interop.py"); !rep.OK || runErr != nil {
		t.Fatalf("authlib failed: %s (%v)\n%s%s", rep.Error, runErr, rep.Trace, stderr)
	}
	t.Logf("authlib %s authenticated with %s", rep.Version, rep.AuthMethod)
	if rep.Sub == "" || rep.UserinfoSub != rep.Sub || !rep.HasAtHash || rep.ACR == "" || rep.UserinfoName == "" {
		t.Errorf("login: %+v", rep)
	}
}

// runInteropScript runs a relying-party script (node/, python/) against dev mode's
// demo client, with the settings in its environment, and decodes the JSON report
// it prints last into report.
func runInteropScript(t *testing.T, d *devEnv, dir string, report any, name string, args ...string) (stderr string, runErr error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"PORTVAKT_ISSUER="+d.issuer,
		"PORTVAKT_CLIENT_ID="+devmode.DemoClientID,
		"PORTVAKT_CLIENT_SECRET="+devmode.DemoClientSecret,
		"PORTVAKT_REDIRECT_URI="+d.redirectURI(),
		"PORTVAKT_POST_LOGOUT_URI="+d.issuer+"/demo",
		"PORTVAKT_ACR_VALUES="+mitidACR,
	)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	runErr = cmd.Run()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), report); err != nil {
		t.Fatalf("%s: %v; stdout %q; stderr %q", name, runErr, out.String(), errOut.String())
	}
	return errOut.String(), runErr
}
