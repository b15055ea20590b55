package provider_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSingleSignOnForTheSameClient(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	acr := url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}
	first := rp1.login(t, b, c, acr)
	raw, _ := first.token.Extra("id_token").(string)

	t.Run("prompt=none reuses the login", func(t *testing.T) {
		again := rp1.login(t, b, c, url.Values{"prompt": {"none"}})
		if again.idToken.Subject != first.idToken.Subject || !again.authTime().Equal(first.authTime()) {
			t.Errorf("sub/auth_time changed: %v %v", again.idToken.Subject, again.authTime())
		}
	})
	t.Run("id_token_hint with prompt=none", func(t *testing.T) {
		again := rp1.login(t, b, c, url.Values{"prompt": {"none"}, "id_token_hint": {raw}})
		if again.idToken.Subject != first.idToken.Subject {
			t.Errorf("sub %q", again.idToken.Subject)
		}
	})
	t.Run("a large max_age reuses the login", func(t *testing.T) {
		again := rp1.login(t, b, c, url.Values{"max_age": {"10000"}})
		if !again.authTime().Equal(first.authTime()) {
			t.Errorf("auth_time %v, want %v", again.authTime(), first.authTime())
		}
	})
	t.Run("max_age=0 and prompt=login authenticate again", func(t *testing.T) {
		for _, q := range []url.Values{{"max_age": {"0"}}, {"prompt": {"login"}}} {
			b.clock.advance(2 * time.Second)
			q.Set("acr_values", "urn:portvakt:eid:se:test")
			again := rp1.login(t, b, c, q)
			if !again.authTime().After(first.authTime()) {
				t.Errorf("%v: auth_time %v is not later than the first login's %v", q, again.authTime(), first.authTime())
			}
		}
	})
	t.Run("another client does not get the login silently", func(t *testing.T) {
		got := b.authorize(t, c, url.Values{"client_id": {"rp2"}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {rpRedirect}, "prompt": {"none"}}).Query()
		if got.Get("error") != "login_required" {
			t.Errorf("got %v, want login_required", got)
		}
	})
	t.Run("another browser does not share it", func(t *testing.T) {
		got := b.authorize(t, browser(t), url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {rpRedirect}, "prompt": {"none"}}).Query()
		if got.Get("error") != "login_required" {
			t.Errorf("got %v, want login_required", got)
		}
	})
}

func TestMaxAgeExpiredAuthenticatesAgain(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	first := rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	_ = first
	b.clock.advance(2 * time.Second) // auth_time has one-second precision
	got := b.authorize(t, c, url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}, "max_age": {"1"}, "prompt": {"none"}}).Query()
	if got.Get("error") != "login_required" {
		t.Errorf("max_age=1 with an older login and prompt=none: got %v, want login_required", got)
	}
}

func TestLoginRestrictedToTheClientsCountries(t *testing.T) {
	b := newBroker(t)
	q := url.Values{"client_id": {"se-only"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}}
	t.Run("asking for another country is an error", func(t *testing.T) {
		q := cloneValues(q)
		q.Set("acr_values", "urn:portvakt:eid:fi:test")
		if got := b.authorize(t, browser(t), q).Query(); got.Get("error") != "unmet_authentication_requirements" {
			t.Errorf("got %v", got)
		}
	})
	t.Run("one option left skips the chooser", func(t *testing.T) {
		got := b.authorize(t, browser(t), q).Query()
		if got.Get("code") == "" {
			t.Errorf("got %v, want a code straight away", got)
		}
	})
	t.Run("unknown acr values and scopes are ignored", func(t *testing.T) {
		q := cloneValues(q)
		q.Set("acr_values", "1 2 urn:something:else")
		q.Set("scope", "openid email phone address")
		if got := b.authorize(t, browser(t), q).Query(); got.Get("code") == "" {
			t.Errorf("got %v", got)
		}
	})
}

func TestFormPostResponseMode(t *testing.T) {
	b := newBroker(t)
	q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"acr_values": {"urn:portvakt:eid:se:test"}, "response_mode": {"form_post"}, "state": {"fp"}}
	c := browser(t)
	resp, err := c.Get(b.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for _, want := range []string{`action="https://rp.example/callback"`, `name="code"`, `name="iss"`, `value="` + b.URL + `"`, `name="state"`, `value="fp"`} {
		if !strings.Contains(page, want) {
			t.Errorf("form_post page lacks %s", want)
		}
	}
}

func TestIntrospectionRevocationAndLogout(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	res := rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	at := res.token.AccessToken

	introspect := func() map[string]any {
		form := url.Values{"token": {at}}
		req, _ := http.NewRequest(http.MethodPost, b.URL+"/oauth/introspect", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth("rp1", "rp1-secret-0123456789")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return v
	}
	if v := introspect(); v["active"] != true || v["sub"] != res.idToken.Subject || v["client_id"] != "rp1" {
		t.Fatalf("introspection of a live token: %v", v)
	}

	t.Run("userinfo by POST", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, b.URL+"/userinfo", strings.NewReader(url.Values{"access_token": {at}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status %d", resp.StatusCode)
		}
	})

	t.Run("another client cannot revoke it", func(t *testing.T) {
		if status := revoke(t, b, "rp2", "rp2-secret-0123456789", at); status == http.StatusOK {
			if v := introspect(); v["active"] != true {
				t.Error("rp2 revoked rp1's token")
			}
		}
	})
	t.Run("revocation", func(t *testing.T) {
		if status := revoke(t, b, "rp1", "rp1-secret-0123456789", at); status != http.StatusOK {
			t.Fatalf("status %d", status)
		}
		if v := introspect(); v["active"] != false {
			t.Errorf("revoked token still active: %v", v)
		}
		if _, err := rp1.provider.UserInfo(context.Background(), staticToken(at)); err == nil {
			t.Error("userinfo accepted a revoked token")
		}
	})

	raw, _ := res.token.Extra("id_token").(string)
	t.Run("logout to an unregistered URI is refused", func(t *testing.T) {
		resp, err := c.Get(b.URL + "/end_session?" + url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {rpLogout + "/x"}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if isRedirect(resp) {
			t.Errorf("redirected to %s", resp.Header.Get("Location"))
		}
	})
	t.Run("logout ends the session", func(t *testing.T) {
		resp, err := c.Get(b.URL + "/end_session?" + url.Values{"id_token_hint": {raw}, "post_logout_redirect_uri": {rpLogout}, "state": {"bye"}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != rpLogout+"?state=bye" {
			t.Fatalf("logout went to %q", loc)
		}
		got := b.authorize(t, c, url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"},
			"redirect_uri": {rpRedirect}, "prompt": {"none"}}).Query()
		if got.Get("error") != "login_required" {
			t.Errorf("after logout prompt=none gave %v", got)
		}
	})
}

func revoke(t *testing.T, b *broker, client, secret, token string) int {
	t.Helper()
	resp := clientPost(t, b, "/revoke", client, secret, url.Values{"token": {token}})
	resp.Body.Close()
	return resp.StatusCode
}

// clientPost sends a form to a back-channel endpoint with client_secret_basic.
func clientPost(t *testing.T, b *broker, path, client, secret string, form url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
