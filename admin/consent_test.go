package admin_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/portvakt/portvakt/devmode"
)

// TestConsentDeclineRememberWithdraw: declining gives access_denied and is
// stored; a remembered consent skips the page; withdrawal makes it ask again.
func TestConsentDeclineRememberWithdraw(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	redirect := b.issuer + "/cb/asks"
	b.mustCall(t, token, "POST", "/clients", map[string]any{
		"id": "asks", "name": "Asks first", "purpose": "To open your account.", "redirect_uris": []string{redirect},
		"consent": true, "scopes": []string{"national_id"},
	}, nil, http.StatusCreated)
	start := authorizeURL(b.issuer, "asks", redirect, url.Values{
		"acr_values": {"urn:portvakt:eid:dk:mitid"}, "scope": {"openid profile national_id"},
	})
	consentPage := func(c *http.Client) page {
		t.Helper()
		p := follow(t, c, start, redirect)
		if p.Query != nil || csrfPattern.FindStringSubmatch(p.HTML) == nil || consentActionPattern.FindStringSubmatch(p.HTML) == nil {
			t.Fatalf("no consent page; ended at %v", p.URL)
		}
		return p
	}
	answer := func(c *http.Client, p page, form url.Values) page {
		t.Helper()
		form.Set("csrf_token", csrfPattern.FindStringSubmatch(p.HTML)[1])
		return post(t, c, p.URL, consentActionPattern.FindStringSubmatch(p.HTML)[1], form, redirect)
	}

	c := browser()
	declined := answer(c, consentPage(c), url.Values{"consent": {"deny"}})
	if declined.Query.Get("error") != "access_denied" {
		t.Fatalf("decline ended with %v, want error=access_denied", declined.Query)
	}
	type consents struct {
		Standing []struct {
			Sub    string   `json:"sub"`
			Claims []string `json:"claims"`
		} `json:"standing"`
		Log []struct {
			Decision string   `json:"decision"`
			Claims   []string `json:"claims"`
			Sub      string   `json:"sub"`
		} `json:"log"`
	}
	var got consents
	b.mustCall(t, token, "GET", "/clients/asks/consents", nil, &got, http.StatusOK)
	if len(got.Log) != 1 || got.Log[0].Decision != "declined" || len(got.Log[0].Claims) == 0 || len(got.Standing) != 0 {
		t.Fatalf("after a decline: %+v", got)
	}

	c = browser()
	allowed := answer(c, consentPage(c), url.Values{"consent": {"allow"}, "remember": {"1"}})
	if allowed.Query.Get("code") == "" {
		t.Fatalf("allow ended with %v", allowed.Query)
	}
	again := follow(t, browser(), start, redirect)
	if again.Query.Get("code") == "" {
		t.Fatalf("a remembered consent asked again: ended at %v", again.URL)
	}
	b.mustCall(t, token, "GET", "/clients/asks/consents", nil, &got, http.StatusOK)
	if len(got.Standing) != 1 {
		t.Fatalf("standing consents %+v", got.Standing)
	}
	sub := got.Standing[0].Sub

	auditor := b.token(t, devmode.AuditorClientID, devmode.AuditorClientSecret)
	b.mustCall(t, auditor, "DELETE", "/clients/asks/consents/"+url.PathEscape(sub), nil, nil, http.StatusForbidden)
	var withdrawn struct {
		Withdrawn bool `json:"withdrawn"`
	}
	b.mustCall(t, token, "DELETE", "/clients/asks/consents/"+url.PathEscape(sub), nil, &withdrawn, http.StatusOK)
	if !withdrawn.Withdrawn {
		t.Error("the withdrawal found no consent")
	}
	consentPage(browser())
	b.mustCall(t, token, "GET", "/clients/asks/consents?sub="+url.QueryEscape(sub), nil, &got, http.StatusOK)
	if len(got.Standing) != 0 || got.Log[0].Decision != "withdrawn" {
		t.Errorf("after withdrawal: %+v", got)
	}
}
