package broker_test

import (
	"net/http"
	"strings"
	"testing"
)

// A browser that has a session (any browser after a login) must get the same
// themed, translated HTML page as any other while the database is down, not the
// session middleware's plain-text answer.
func TestOutagePageForABrowserWithASession(t *testing.T) {
	t.Parallel()
	o := startOutageStack(t)
	returning := newBrowser(t)
	o.login(t, returning)
	if !hasCookie(returning, o.front.url, "pv_session") {
		t.Fatal("the browser has no session cookie after a login")
	}
	o.db.Stop()
	page := returning.visit(newAuthRequest(o.front.url).url(o.front.url, o.acr))
	if page.status != http.StatusServiceUnavailable || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(page.body, o.unavailable) {
		t.Errorf("authorize answered %d %s: %.400s", page.status, page.header.Get("Content-Type"), page.body)
	}
}
