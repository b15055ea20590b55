package provider_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

// A login that reached its outcome (cancelled, failed for the relying party,
// finished) stays there: no late upstream answer, second option or replayed
// request moves it on, and above all none of them issues a code.
func TestTerminalLoginCannotBeRevived(t *testing.T) {
	b := newBroker(t)
	for _, tc := range []struct {
		name string
		// late runs after the person cancelled the login: what must not revive it.
		late func(t *testing.T, c *http.Client, l *runningLogin) *http.Response
	}{
		{"a late upstream callback with the person's approval", func(t *testing.T, c *http.Client, l *runningLogin) *http.Response {
			return get(t, c, l.callback)
		}},
		{"a late upstream callback with an error, then a new option", func(t *testing.T, c *http.Client, l *runningLogin) *http.Response {
			failed := mustParse(t, l.callback)
			q := failed.Query()
			q.Set("error", "access_denied")
			failed.RawQuery = q.Encode()
			get(t, c, failed.String()).Body.Close()
			return post(t, c, l.url, url.Values{"option": {"se-test/"}, "csrf_token": {l.csrf}})
		}},
		{"choosing an option again", func(t *testing.T, c *http.Client, l *runningLogin) *http.Response {
			return post(t, c, l.url, url.Values{"option": {"fi-test/"}, "csrf_token": {l.csrf}})
		}},
		{"cancelling again", func(t *testing.T, c *http.Client, l *runningLogin) *http.Response {
			return get(t, c, l.url+"/cancel")
		}},
		{"the done step", func(t *testing.T, c *http.Client, l *runningLogin) *http.Response {
			return get(t, c, l.url+"/done")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := stopAtCallback(t)
			l := startRedirectLogin(t, b, c, "rp1", "se-test/")
			if got := cancel(t, c, l).Get("error"); got != "access_denied" {
				t.Fatalf("cancel gave the client %q, want access_denied", got)
			}
			resp := tc.late(t, c, l)
			if code := codeIn(t, c, resp); code != "" {
				t.Fatalf("a cancelled login issued a code (%s)", resp.Request.URL.Path)
			}
		})
	}

	t.Run("consent after cancel", func(t *testing.T) {
		c := stopAtCallback(t)
		l := startRedirectLogin(t, b, c, "asks", "se-test/")
		page := get(t, c, l.callback)
		body, _ := io.ReadAll(page.Body)
		page.Body.Close()
		m := csrfField.FindStringSubmatch(string(body))
		if page.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("no consent page: %d %.300s", page.StatusCode, body)
		}
		if got := cancel(t, c, l).Get("error"); got != "access_denied" {
			t.Fatalf("cancel gave the client %q, want access_denied", got)
		}
		resp := post(t, c, l.url+"/consent", url.Values{"consent": {"allow"}, "csrf_token": {m[1]}})
		if codeIn(t, c, resp) != "" {
			t.Fatal("consent given after the cancel issued a code")
		}
	})
}

// An order's poll that was in flight when the person cancelled must not finish
// the login when its answer comes back, and every later status poll reports the
// cancelled outcome.
func TestCancelledOrderIgnoresItsLateCollect(t *testing.T) {
	b := newBroker(t)
	const person = "198507099805"
	b.orders.script[person] = []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusPending}}
	c := browser(t)
	login := startOrder(t, b, c, person, "en")
	page := get(t, c, login)
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no cancel form: %.300s", body)
	}

	// The next collect answers "complete" (the script is used up), but only once the
	// person has cancelled.
	held := b.orders.hold(person)
	polled := make(chan orderStatus, 1)
	go func() { polled <- pollStatus(t, c, login) }()
	<-held.entered
	resp := post(t, c, login+"/cancel", url.Values{"csrf_token": {m[1]}})
	resp.Body.Close()
	if got := mustParse(t, resp.Header.Get("Location")).Query().Get("error"); got != "access_denied" {
		t.Fatalf("cancel gave the client %q, want access_denied", got)
	}
	close(held.release)

	late := <-polled
	replayed := pollStatus(t, c, login)
	for _, st := range []orderStatus{late, replayed} {
		if st.Status != "failed" {
			t.Errorf("status after cancel: %+v, want failed", st)
		}
	}
	done := get(t, c, b.URL+"/login/"+loginID(login)+"/done")
	if codeIn(t, c, done) != "" {
		t.Fatal("the collect that came back after the cancel issued a code")
	}
}

// runningLogin is a login whose redirect eID was started and whose browser was
// stopped before the upstream's callback.
type runningLogin struct {
	url, csrf, callback string
}

// startRedirectLogin opens an authorization request for client, chooses option
// on the login page and stops where the upstream would call back.
func startRedirectLogin(t *testing.T, b *broker, c *http.Client, client, option string) *runningLogin {
	t.Helper()
	q := url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid national_id"},
		"redirect_uri": {rpRedirect}, "state": {"st"}, "nonce": {"n"}}
	page := get(t, c, b.URL+"/authorize?"+q.Encode())
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if page.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("no login page: %d %.300s", page.StatusCode, body)
	}
	l := &runningLogin{url: page.Request.URL.String(), csrf: m[1]}
	resp := post(t, c, l.url, url.Values{"option": {option}, "csrf_token": {l.csrf}})
	resp.Body.Close()
	l.callback = resp.Header.Get("Location")
	if !strings.Contains(l.callback, "/callback/") {
		t.Fatalf("choosing %s went to %q, want the upstream's callback", option, l.callback)
	}
	return l
}

// cancel follows the login page's cancel link and returns what the client got.
func cancel(t *testing.T, c *http.Client, l *runningLogin) url.Values {
	t.Helper()
	resp := get(t, c, l.url+"/cancel")
	resp.Body.Close()
	return mustParse(t, resp.Header.Get("Location")).Query()
}

// stopAtCallback is a browser that stops before the broker's upstream callback
// and before the relying party.
func stopAtCallback(t *testing.T) *http.Client {
	c := browser(t)
	next := c.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.Path, "/callback/") {
			return http.ErrUseLastResponse
		}
		return next(req, via)
	}
	return c
}

// codeIn follows resp as the browser would and returns the code the relying party
// got, if any.
func codeIn(t *testing.T, c *http.Client, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	for hops := 0; isRedirect(resp) && hops < 10; hops++ {
		loc := mustParse(t, resp.Request.URL.ResolveReference(mustParse(t, resp.Header.Get("Location"))).String())
		if strings.HasPrefix(loc.String(), rpRedirect) {
			return loc.Query().Get("code")
		}
		resp.Body.Close()
		resp = get(t, c, loc.String())
	}
	return ""
}

func get(t *testing.T, c *http.Client, target string) *http.Response {
	t.Helper()
	resp, err := c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func post(t *testing.T, c *http.Client, target string, form url.Values) *http.Response {
	t.Helper()
	resp, err := c.PostForm(target, form)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var loginPath = regexp.MustCompile(`/login/([^/?]+)`)

func loginID(loginURL string) string {
	if m := loginPath.FindStringSubmatch(loginURL); m != nil {
		return m[1]
	}
	return ""
}

// A failed eID attempt with a message for the person is not the login's outcome:
// the page offers the other eIDs, and choosing one works. Going back from there
// makes the failure the outcome, and after that no choice revives the login.
func TestFailedAttemptMayBeRetriedUntilGivenUp(t *testing.T) {
	b := newBroker(t)
	const person = "197001012392"
	b.orders.script[person] = []connectors.Progress{{Status: connectors.StatusFailed, Message: "RFA6"}}
	c := stopAtCallback(t)
	q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"login_hint": {"sub:" + person}, "ui_locales": {"en"}, "state": {"st"}}
	page := get(t, c, b.URL+"/authorize?"+q.Encode())
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatalf("no login page: %.300s", body)
	}
	l := &runningLogin{url: page.Request.URL.String(), csrf: m[1]}
	post(t, c, l.url, url.Values{"option": {"se-order/"}, "csrf_token": {l.csrf}}).Body.Close()
	if st := pollStatus(t, c, l.url); st.Status == "pending" {
		t.Fatalf("the attempt did not fail: %+v", st)
	}

	retry := post(t, c, l.url, url.Values{"option": {"se-test/"}, "csrf_token": {l.csrf}})
	retry.Body.Close()
	if !strings.Contains(retry.Header.Get("Location"), "/callback/se-test") {
		t.Fatalf("choosing another eID after a failed attempt went to %q (%d)", retry.Header.Get("Location"), retry.StatusCode)
	}
	if got := cancel(t, c, l).Get("error"); got != "access_denied" {
		t.Fatalf("going back gave the client %q", got)
	}
	again := post(t, c, l.url, url.Values{"option": {"se-test/"}, "csrf_token": {l.csrf}})
	if again.StatusCode != http.StatusBadRequest || codeIn(t, c, again) != "" {
		t.Errorf("choosing again after going back: status %d, want the 400 error page", again.StatusCode)
	}
}
