package agentconsole_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/internal/consoletest"
)

// TestSignInIsBoundToItsBrowser: the callback of a sign-in one browser started
// (its code and state) signs in no other browser (login CSRF, session
// swapping), and is single use.
func TestSignInIsBoundToItsBrowser(t *testing.T) {
	e := start(t)
	starter := consoletest.Browser("starter/1")
	callback := consoletest.Callback(t, starter, e.issuer, "/agent", "dk-mitid")
	victim := consoletest.Browser("victim/1")
	// The victim has a sign-in of its own under way, so it has a binding cookie.
	consoletest.Callback(t, victim, e.issuer, "/agent", "dk-mitid")
	for name, c := range map[string]*http.Client{"another browser": victim, "no binding": consoletest.Browser("fresh/1")} {
		resp, err := c.Get(callback)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: callback %d, want 400", name, resp.StatusCode)
		}
	}
	resp, err := starter.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != e.issuer+"/agent/" {
		t.Errorf("its own browser's callback: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = starter.Get(callback)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("the callback a second time: %d, want 400", resp.StatusCode)
	}
}

// TestLogoutNeedsTheCSRFToken: a logout posted without the session's token
// (from another site) ends nothing; with it, the session ends here and the
// browser goes on to the broker's end_session.
func TestLogoutNeedsTheCSRFToken(t *testing.T) {
	e := start(t)
	a := signIn(t, e, "/agent", "dk-mitid")
	post := func(form url.Values) *http.Response {
		t.Helper()
		resp, err := a.c.PostForm(e.issuer+"/agent/logout", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post(url.Values{}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without the token: %d, want 403", resp.StatusCode)
	}
	if code, _ := a.get(t, "/agent/"); code != http.StatusOK || a.call(t, "/agent/api/check", map[string]string{"country": "SE", "number": "1"}, nil) != http.StatusOK {
		t.Error("a logout without the token ended the session")
	}
	resp := post(url.Values{"csrf_token": {a.csrf}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), e.issuer+"/end_session?") ||
		!strings.Contains(resp.Header.Get("Location"), "id_token_hint=") {
		t.Errorf("logout: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if code := a.call(t, "/agent/api/check", map[string]string{"country": "SE", "number": "1"}, nil); code != http.StatusUnauthorized {
		t.Errorf("after logout: %d, want 401", code)
	}
}
