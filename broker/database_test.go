package broker_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/mariadbtest"
)

// With MariaDB stopped the broker says so (readyz, a 503 page, the OIDC error
// temporarily_unavailable) and does not fall over; with MariaDB back it serves
// again without a restart. The test runs its own MariaDB server, since stopping
// the shared one would break every other test.
func TestDatabaseOutageAndRecovery(t *testing.T) {
	t.Parallel()
	o := startOutageStack(t)
	front, r, db, mitid, unavailable, login := o.front, o.replica, o.db, o.acr, o.unavailable, o.login
	returning := newBrowser(t)
	login(t, returning)
	pending := newAuthRequest(front.url)
	pendingCode := pending.code(t, newBrowser(t).visit(pending.url(front.url, mitid)))
	// A person comes back from the eID while the database is down.
	midway, midwayBrowser := newAuthRequest(front.url), newBrowser(t)
	callback := midwayBrowser.visitUntil(midway.url(front.url, mitid), func(u *url.URL) bool {
		return strings.HasPrefix(u.Path, "/callback/")
	}).url

	db.Stop()

	t.Run("readyz fails", func(t *testing.T) {
		if status, body := get(t, r.url+"/readyz"); status != http.StatusServiceUnavailable {
			t.Errorf("readyz answered %d %s with the database down", status, body)
		}
	})
	t.Run("authorize shows a 503 page", func(t *testing.T) {
		page := newBrowser(t).visit(newAuthRequest(front.url).url(front.url, mitid))
		if page.status != http.StatusServiceUnavailable || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") ||
			!strings.Contains(page.body, unavailable) {
			t.Errorf("authorize answered %d %s: %.400s", page.status, page.header.Get("Content-Type"), page.body)
		}
	})
	t.Run("authorize in a browser with a session answers 503", func(t *testing.T) {
		if !hasCookie(returning, front.url, "pv_session") {
			t.Fatal("the browser has no session cookie after a login")
		}
		// The themed HTML page for this case is TestOutagePageForABrowserWithASession
		// (build tag faults_pending).
		page := returning.visit(newAuthRequest(front.url).url(front.url, mitid))
		if page.status != http.StatusServiceUnavailable || !strings.Contains(page.body, "temporarily unavailable") {
			t.Errorf("authorize answered %d %s: %.400s", page.status, page.header.Get("Content-Type"), page.body)
		}
	})
	t.Run("the eID's callback shows a 503 page", func(t *testing.T) {
		page := midwayBrowser.visit(callback.String())
		if page.status != http.StatusServiceUnavailable || !strings.Contains(page.body, unavailable) {
			t.Errorf("the callback answered %d: %.400s", page.status, page.body)
		}
	})
	t.Run("the token endpoint answers temporarily_unavailable", func(t *testing.T) {
		tr := pending.exchange(t, front.url, pendingCode)
		if tr.status != http.StatusServiceUnavailable || tr.Error != "temporarily_unavailable" {
			t.Errorf("token endpoint answered %d %q %q", tr.status, tr.Error, tr.ErrorDescription)
		}
	})
	t.Run("nothing panicked", func(t *testing.T) {
		if status, _ := get(t, r.url+"/healthz"); status != http.StatusOK {
			t.Errorf("healthz answered %d", status)
		}
		if logged := r.serverErrors.String(); strings.Contains(logged, "panic") {
			t.Errorf("the server recovered a panic:\n%s", logged)
		}
	})

	db.Restart()

	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _ := get(t, r.url+"/readyz")
		if status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still answers %d 30 s after the database came back", status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Run("the code issued before the outage is redeemed after it", func(t *testing.T) {
		pending.redeem(t, pendingCode)
	})
	t.Run("the callback refused during the outage completes when reloaded", func(t *testing.T) {
		midway.redeem(t, midway.code(t, midwayBrowser.visit(callback.String())))
	})
	t.Run("logins work again without a restart", func(t *testing.T) {
		login(t, newBrowser(t))
		login(t, returning)
	})
}

// get fetches url and returns the status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// outageStack is a broker on a MariaDB server of the test's own, behind a front
// door with auto-approving simulators.
type outageStack struct {
	db      *mariadbtest.Server
	front   *frontDoor
	replica *replica
	// acr picks MitID; unavailable is the outage page's message, as HTML.
	acr, unavailable string
}

func startOutageStack(t *testing.T) *outageStack {
	t.Helper()
	o := &outageStack{db: mariadbtest.Start(t), front: startFrontDoor(t, true), acr: "urn:portvakt:eid:dk:mitid"}
	cfg := o.front.config(t, o.db.CreateDatabase("portvakt"), newMasterKey(t))
	cfg.Login.SessionLifetime = config.Duration(time.Hour) // browsers get a session in the database
	o.replica = o.front.startReplica(t, cfg)
	o.front.add(o.replica.url)
	o.unavailable = html.EscapeString(o.replica.broker.Themes.Translator("en")("error.unavailable"))
	return o
}

// login completes a MitID login in br and redeems the code.
func (o *outageStack) login(t *testing.T, br *browser) {
	t.Helper()
	req := newAuthRequest(o.front.url)
	req.redeem(t, req.code(t, br.visit(req.url(o.front.url, o.acr))))
}
