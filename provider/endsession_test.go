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

	"github.com/go-jose/go-jose/v4"
)

func introspectActive(t *testing.T, b *broker, client, secret, token string) bool {
	t.Helper()
	_, body := b.postForm(t, "/oauth/introspect", client, secret, url.Values{"token": {token}})
	var v struct {
		Active bool `json:"active"`
	}
	_ = json.Unmarshal(body, &v)
	return v.Active
}

// endSession sends a logout request from the browser and returns the status,
// the redirect target (if any) and the body.
func endSession(t *testing.T, b *broker, c *http.Client, method string, q url.Values) (int, string, string) {
	t.Helper()
	var req *http.Request
	if method == http.MethodPost {
		req, _ = http.NewRequest(method, b.URL+"/end_session", strings.NewReader(q.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(method, b.URL+"/end_session?"+q.Encode(), nil)
	}
	noFollow := &http.Client{Jar: c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// Without an id_token_hint a logout may come from any site: the broker asks
// the person first, and only a POST with the form's CSRF token ends the session.
func TestEndSessionWithoutHintAsksFirst(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	res := rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	at := res.token.AccessToken

	q := url.Values{"client_id": {"rp1"}, "post_logout_redirect_uri": {rpLogout}, "state": {"bye"}}
	status, loc, page := endSession(t, b, c, http.MethodGet, q)
	if status != http.StatusOK || loc != "" || !strings.Contains(page, `method="post"`) {
		t.Fatalf("GET without a hint: status %d, Location %q; want the confirmation form", status, loc)
	}
	if got := silentLogin(t, b, c); got.Get("code") == "" {
		t.Fatalf("a cross-site GET ended the session: %v", got)
	}
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the confirmation form has no CSRF token")
	}
	if !strings.Contains(page, `href="/end_session?client_id=rp1&amp;lang=sv&amp;post_logout_redirect_uri=`) {
		t.Error("the language switcher drops the logout request")
	}
	for _, form := range []url.Values{q, {"csrf_token": {"forged"}, "client_id": {"rp1"}}} {
		if status, loc, _ := endSession(t, b, c, http.MethodPost, form); status != http.StatusForbidden {
			t.Errorf("POST without a valid CSRF token: status %d, Location %q; want 403", status, loc)
		}
	}
	if got := silentLogin(t, b, c); got.Get("code") == "" {
		t.Fatalf("a forged POST ended the session: %v", got)
	}
	if !introspectActive(t, b, "rp1", "rp1-secret-0123456789", at) {
		t.Fatal("a forged POST revoked the access token")
	}

	confirmed := cloneValues(q)
	confirmed.Set("csrf_token", m[1])
	status, loc, _ = endSession(t, b, c, http.MethodPost, confirmed)
	if status != http.StatusSeeOther || loc != rpLogout+"?state=bye" {
		t.Fatalf("confirmed logout: status %d, Location %q", status, loc)
	}
	if got := silentLogin(t, b, c); got.Get("error") != "login_required" {
		t.Errorf("after a confirmed logout prompt=none gave %v", got)
	}
	if introspectActive(t, b, "rp1", "rp1-secret-0123456789", at) {
		t.Error("the session's access token survived the logout")
	}
}

// A hint ends only the session it belongs to: the same person's login in another
// browser, and another person's login in this browser, live on with their tokens.
func TestEndSessionHintEndsOnlyItsOwnSession(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	acr := url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}
	laptop, phone := browser(t), browser(t)
	onLaptop := rp1.login(t, b, laptop, acr)
	onPhone := rp1.login(t, b, phone, acr)
	other := browser(t)
	someoneElse := rp1.login(t, b, other, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}, "login_hint": {"sub:" + otherPerson}})
	hint, _ := onLaptop.token.Extra("id_token").(string)

	// The laptop's hint used in the other person's browser ends nothing there.
	status, loc, _ := endSession(t, b, other, http.MethodGet, url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpLogout}})
	if status != http.StatusFound || loc != rpLogout {
		t.Errorf("logout with a valid hint: status %d, Location %q", status, loc)
	}
	if got := silentLogin(t, b, other); got.Get("code") == "" {
		t.Errorf("another person's session ended by a hint that is not theirs: %v", got)
	}
	if !introspectActive(t, b, "rp1", "rp1-secret-0123456789", someoneElse.token.AccessToken) {
		t.Error("another person's token revoked by a hint that is not theirs")
	}
	if !introspectActive(t, b, "rp1", "rp1-secret-0123456789", onLaptop.token.AccessToken) {
		t.Error("the laptop's token revoked from another browser")
	}

	status, loc, _ = endSession(t, b, laptop, http.MethodGet, url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpLogout}, "state": {"s"}})
	if status != http.StatusFound || loc != rpLogout+"?state=s" {
		t.Fatalf("logout with a valid hint: status %d, Location %q", status, loc)
	}
	if got := silentLogin(t, b, laptop); got.Get("error") != "login_required" {
		t.Errorf("laptop still logged in: %v", got)
	}
	if introspectActive(t, b, "rp1", "rp1-secret-0123456789", onLaptop.token.AccessToken) {
		t.Error("the laptop's token survived its logout")
	}
	if got := silentLogin(t, b, phone); got.Get("code") == "" {
		t.Errorf("the phone's session ended by the laptop's logout: %v", got)
	}
	if !introspectActive(t, b, "rp1", "rp1-secret-0123456789", onPhone.token.AccessToken) {
		t.Error("the phone's token revoked by the laptop's logout")
	}
}

// A hint that does not verify (forged signature, another client's audience) ends
// nothing and redirects nowhere; a malformed request is a 400 page, not a 500.
func TestEndSessionRefusesBadRequests(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	res := rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	hint, _ := res.token.Extra("id_token").(string)
	forged := hint[:strings.LastIndex(hint, ".")+1] + "AAAA" + hint[strings.LastIndex(hint, ".")+5:]

	for _, tc := range []struct {
		name string
		q    url.Values
	}{
		{"forged signature", url.Values{"id_token_hint": {forged}, "post_logout_redirect_uri": {rpLogout}}},
		{"hint for another client", url.Values{"id_token_hint": {hint}, "client_id": {"rp2"}}},
		{"unknown client", url.Values{"client_id": {"nobody"}, "post_logout_redirect_uri": {rpLogout}}},
		{"redirect without a client", url.Values{"post_logout_redirect_uri": {rpLogout}}},
		{"unregistered redirect", url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpLogout + "/x"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, loc, _ := endSession(t, b, c, http.MethodGet, tc.q)
			if status != http.StatusBadRequest || loc != "" {
				t.Errorf("status %d, Location %q; want a 400 page", status, loc)
			}
			if got := silentLogin(t, b, c); got.Get("code") == "" {
				t.Errorf("the session ended: %v", got)
			}
		})
	}

	for _, tc := range []struct{ name, method, target, body string }{
		{"bad query escape", http.MethodGet, "/end_session?id_token_hint=%zz", ""},
		{"bad form escape", http.MethodPost, "/end_session", "client_id=%zz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, b.URL+tc.target, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("status %d %s, want a 400 page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		})
	}
}

// Ending one client's login renews the session token, like a login does: the
// session lives on (here for rp2) under a token nobody saw before.
func TestEndSessionRenewsTheSessionToken(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	rp2 := newRP(t, b, "rp2", "rp2-secret-0123456789")
	c := browser(t)
	acr := url.Values{"acr_values": {"urn:portvakt:eid:se:test"}}
	res := rp1.login(t, b, c, acr)
	rp2.login(t, b, c, acr)
	before := cookieValue(t, b, c, "pv_session")
	hint, _ := res.token.Extra("id_token").(string)
	if status, loc, _ := endSession(t, b, c, http.MethodGet, url.Values{"id_token_hint": {hint}}); status != http.StatusFound {
		t.Fatalf("logout: status %d, Location %q", status, loc)
	}
	if after := cookieValue(t, b, c, "pv_session"); after == before || after == "" {
		t.Errorf("session token %q kept across a logout (now %q)", before, after)
	}
	got := b.authorize(t, c, url.Values{"client_id": {"rp2"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {rpRedirect}, "prompt": {"none"}}).Query()
	if got.Get("code") == "" {
		t.Errorf("rp2's login did not survive rp1's logout: %v", got)
	}
}

// signedHint signs ID token claims with the broker's own key, as a token the
// broker issued long ago (or with an audience it never used) would be.
func signedHint(t *testing.T, b *broker, claims map[string]any) string {
	t.Helper()
	key, err := b.keys.SigningKey(context.Background(), "RS256")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: key.SignatureAlgorithm(), Key: jose.JSONWebKey{Key: key.Key(), KeyID: key.ID()}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The hint's signature and audience are checked, its expiry is not (RP-Initiated
// Logout lets an RP log out with the ID token it kept, however old).
func TestEndSessionHintAudienceCheckedExpiryIgnored(t *testing.T) {
	b := newBroker(t)
	rp1 := newRP(t, b, "rp1", "rp1-secret-0123456789")
	c := browser(t)
	res := rp1.login(t, b, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	past := time.Now().Add(-48 * time.Hour)
	claims := func(aud []string, azp string) map[string]any {
		return map[string]any{"iss": b.URL, "sub": res.idToken.Subject, "aud": aud, "azp": azp,
			"iat": past.Unix(), "exp": past.Add(time.Hour).Unix()}
	}

	for _, aud := range [][]string{{"rp2"}, {}} {
		hint := signedHint(t, b, claims(aud, "rp1"))
		if status, loc, _ := endSession(t, b, c, http.MethodGet, url.Values{"id_token_hint": {hint}}); status != http.StatusBadRequest {
			t.Errorf("hint with azp rp1 and aud %v: status %d, Location %q; want a 400 page", aud, status, loc)
		}
		if got := silentLogin(t, b, c); got.Get("code") == "" {
			t.Fatalf("a hint whose audience is not its client ended the session: %v", got)
		}
	}

	hint := signedHint(t, b, claims([]string{"rp1"}, "rp1"))
	status, loc, _ := endSession(t, b, c, http.MethodGet, url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {rpLogout}})
	if status != http.StatusFound || loc != rpLogout {
		t.Fatalf("expired hint: status %d, Location %q; want the post-logout redirect", status, loc)
	}
	if got := silentLogin(t, b, c); got.Get("error") != "login_required" {
		t.Errorf("an expired but genuine hint did not end the session: %v", got)
	}
	if introspectActive(t, b, "rp1", "rp1-secret-0123456789", res.token.AccessToken) {
		t.Error("the session's token survived the logout")
	}
}
