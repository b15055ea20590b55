package provider_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestCodeFlowWithPKCE(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	res := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})

	c := res.claims
	if c["acr"] != "http://eidas.europa.eu/LoA/substantial" {
		t.Errorf("acr = %v, want the eIDAS substantial URI", c["acr"])
	}
	if c["idp"] != "se-test" || c["idp_acr"] != "urn:test:substantial" {
		t.Errorf("idp = %v, idp_acr = %v", c["idp"], c["idp_acr"])
	}
	if c["national_id"] != "199001012389" || c["country"] != "SE" {
		t.Errorf("national_id = %v, country = %v: rp1 asked for the scope and may have it", c["national_id"], c["country"])
	}
	if c["name"] != "Test Person" || c["birthdate"] != "1990-01-01" {
		t.Errorf("profile claims missing: %v", c)
	}
	if res.idToken.Subject == "" || res.idToken.Subject == "199001012389" {
		t.Errorf("sub %q must be set and never the national id", res.idToken.Subject)
	}
	if _, ok := c["auth_time"]; !ok {
		t.Error("auth_time missing")
	}

	ui, err := rp1.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(res.token))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if ui.Subject != res.idToken.Subject {
		t.Errorf("userinfo sub %q != ID token sub %q", ui.Subject, res.idToken.Subject)
	}
	var uc map[string]any
	_ = ui.Claims(&uc)
	if uc["national_id"] != "199001012389" || uc["idp"] != "se-test" {
		t.Errorf("userinfo claims: %v", uc)
	}
}

func TestPairwiseSubjects(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	rp2 := newRP(t, b, "rp2", "rp2-secret-0123456789")
	acr := url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "prompt": {"login"}}

	first := rp1.login(t, b, browser(t), acr).idToken.Subject
	again := rp1.login(t, b, browser(t), acr).idToken.Subject
	other := rp2.login(t, b, browser(t), acr).idToken.Subject
	if first != again {
		t.Errorf("the same person got two subjects at one client: %q, %q", first, again)
	}
	if first == other {
		t.Errorf("two clients got the same pairwise subject %q", first)
	}
	someoneElse := rp1.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "login_hint": {"sub:198507099805"}}).idToken.Subject
	if someoneElse == first {
		t.Error("two people got the same subject")
	}
}

func TestNationalIDOnlyWithScopeAndPermission(t *testing.T) {
	b := newBroker(t)
	for _, tc := range []struct {
		name, client, secret, scope string
		want                        bool
	}{
		{"allowed and asked", "rp1", "rp1-secret-0123456789", "openid profile national_id", true},
		{"allowed, not asked", "rp1", "rp1-secret-0123456789", "openid profile", false},
		{"asked, not allowed", "rp2", "rp2-secret-0123456789", "openid profile national_id", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRP(t, b, tc.client, tc.secret)
			res := r.login(t, b, browser(t), url.Values{"scope": {tc.scope}, "acr_values": {"urn:portvakt:eid:se:test"}})
			_, has := res.claims["national_id"]
			_, hasCountry := res.claims["country"]
			if has != tc.want || hasCountry != tc.want {
				t.Errorf("national_id present = %v, country present = %v, want %v", has, hasCountry, tc.want)
			}
			ui, err := r.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(res.token))
			if err != nil {
				t.Fatal(err)
			}
			var uc map[string]any
			_ = ui.Claims(&uc)
			if _, has := uc["national_id"]; has != tc.want {
				t.Errorf("userinfo national_id present = %v, want %v", has, tc.want)
			}
		})
	}
}

func TestES256Client(t *testing.T) {
	b := newBroker(t)
	r := newRP(t, b, "es256", "es256-secret-012345")
	res := r.login(t, b, browser(t), url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	raw, _ := res.token.Extra("id_token").(string)
	if alg := jwtHeader(t, raw)["alg"]; alg != "ES256" {
		t.Errorf("ID token signed with %v, want ES256", alg)
	}
}

func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	seg, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}
