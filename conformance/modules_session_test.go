package conformance_test

import (
	"net/http"
	"testing"
)

// A silent answer comes straight from /authorize: one hop. A login that asks the
// person again goes through the eID (its simulator, in dev mode): more hops.
func expectSilent(t *testing.T, l login) {
	t.Helper()
	if l.hops != 1 {
		t.Errorf("took %d hops; a silent answer comes straight from /authorize", l.hops)
	}
}

func expectReauthenticated(t *testing.T, l login) {
	t.Helper()
	if l.hops < 3 {
		t.Errorf("took %d hops; a new authentication goes through the eID", l.hops)
	}
}

// oidcc-prompt-login: a second request with prompt=login authenticates again;
// its auth_time is later.
func testPromptLogin(t *testing.T, r *rp) {
	b := newBrowser(t)
	first := r.login(t, b, r.newRequest())
	waitPast(t, first.authTime(t), 1)
	req := r.newRequest()
	req.params.Set("prompt", "login")
	second := r.login(t, b, req)
	expectReauthenticated(t, second)
	if second.authTime(t) <= first.authTime(t) {
		t.Errorf("auth_time %d after prompt=login, first %d; want later", second.authTime(t), first.authTime(t))
	}
	if second.idToken.Subject != first.idToken.Subject {
		t.Errorf("sub changed: %q then %q", first.idToken.Subject, second.idToken.Subject)
	}
}

// oidcc-prompt-none-not-logged-in: no session, so an error comes back to the
// client (login_required or the like), never a login page.
func testPromptNoneNotLoggedIn(t *testing.T, r *rp) {
	req := r.newRequest()
	req.params.Set("prompt", "none")
	got := newBrowser(t).authorize(r, http.MethodGet, req.params)
	switch e := r.expectError(t, got, req.state); e {
	case "login_required", "interaction_required", "account_selection_required", "consent_required":
	default:
		t.Errorf("error %s, want login_required", e)
	}
	if got.Hops != 1 {
		t.Errorf("prompt=none took %d hops; the OP must answer at once", got.Hops)
	}
}

// oidcc-prompt-none-logged-in: a second request with prompt=none succeeds
// silently; sub and auth_time are the first login's.
func testPromptNoneLoggedIn(t *testing.T, r *rp) {
	b := newBrowser(t)
	first := r.login(t, b, r.newRequest())
	req := r.newRequest()
	req.params.Set("prompt", "none")
	second := r.login(t, b, req)
	expectSilent(t, second)
	expectSameLogin(t, first, second)
}

// oidcc-max-age-1: after more than a second, max_age=1 authenticates again and the
// ID token carries a later auth_time. The wait is real (at most about a second):
// dev mode runs on the wall clock.
func testMaxAge1(t *testing.T, r *rp) {
	b := newBrowser(t)
	first := r.login(t, b, r.newRequest())
	waitPast(t, first.authTime(t), 1)
	req := r.newRequest()
	req.params.Set("max_age", "1")
	second := r.login(t, b, req)
	expectReauthenticated(t, second)
	if second.authTime(t) <= first.authTime(t) {
		t.Errorf("auth_time %d after max_age=1, first %d; want later", second.authTime(t), first.authTime(t))
	}
}

// oidcc-max-age-10000: max_age=15000 gives auth_time; a second request with
// max_age=10000 is answered silently with the same sub and auth_time.
func testMaxAge10000(t *testing.T, r *rp) {
	b := newBrowser(t)
	req := r.newRequest()
	req.params.Set("max_age", "15000")
	first := r.login(t, b, req)
	first.authTime(t)
	req = r.newRequest()
	req.params.Set("max_age", "10000")
	second := r.login(t, b, req)
	expectSilent(t, second)
	expectSameLogin(t, first, second)
}

// oidcc-id-token-hint: prompt=none with the first ID token as id_token_hint
// succeeds silently for the same person.
func testIDTokenHint(t *testing.T, r *rp) {
	b := newBrowser(t)
	first := r.login(t, b, r.newRequest())
	req := r.newRequest()
	req.params.Set("prompt", "none")
	req.params.Set("id_token_hint", first.rawID)
	second := r.login(t, b, req)
	expectSilent(t, second)
	expectSameLogin(t, first, second)
}

func expectSameLogin(t *testing.T, first, second login) {
	t.Helper()
	if second.idToken.Subject != first.idToken.Subject {
		t.Errorf("sub %q, first %q", second.idToken.Subject, first.idToken.Subject)
	}
	if second.authTime(t) != first.authTime(t) {
		t.Errorf("auth_time %d, first %d; a silent answer keeps the login's time", second.authTime(t), first.authTime(t))
	}
}
