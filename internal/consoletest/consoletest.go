package consoletest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Browser is a browser with a cookie jar and a User-Agent of its own that
// does not follow redirects by itself.
func Browser(userAgent string) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 15 * time.Second, Transport: uaTransport(userAgent),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type uaTransport string

func (ua uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", string(ua))
	return http.DefaultTransport.RoundTrip(r)
}

var (
	formAction  = regexp.MustCompile(`<form class="pv-options" method="post" action="([^"]+)"`)
	optionValue = regexp.MustCompile(`name="option" value="([^"]+)"`)
	csrfField   = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// SignIn runs a console's sign-in (console is "/agent" or "/admin") with the
// eID whose option starts with eid (an auto-approving simulator approves as
// its first test person) and returns the body of the console's page.
func SignIn(t testing.TB, c *http.Client, issuer, console, eid string) string {
	t.Helper()
	return run(t, c, issuer, console, eid, false)
}

// Callback runs a console's sign-in up to the broker's redirect to the
// console's callback and returns that URL (code, state, iss) unvisited.
func Callback(t testing.TB, c *http.Client, issuer, console, eid string) string {
	t.Helper()
	return run(t, c, issuer, console, eid, true)
}

func run(t testing.TB, c *http.Client, issuer, console, eid string, stopAtCallback bool) string {
	t.Helper()
	next, _ := url.Parse(issuer + console + "/login")
	for range 20 {
		resp, err := c.Get(next.String())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK && formAction.Match(body):
			next = choose(t, c, next, body, eid)
			if stopAtCallback && strings.HasPrefix(next.String(), issuer+console+"/callback") {
				return next.String()
			}
		case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther:
			next, _ = next.Parse(resp.Header.Get("Location"))
			if stopAtCallback && strings.HasPrefix(next.String(), issuer+console+"/callback") {
				return next.String()
			}
		case next.String() == issuer+console+"/":
			return string(body)
		default:
			t.Fatalf("sign-in stopped at %s with %d:\n%s", next, resp.StatusCode, body)
		}
	}
	t.Fatal("sign-in did not end after 20 steps")
	return ""
}

// choose picks the eID on the broker's login page.
func choose(t testing.TB, c *http.Client, page *url.URL, body []byte, eid string) *url.URL {
	t.Helper()
	action, csrf := formAction.FindSubmatch(body), csrfField.FindSubmatch(body)
	option := ""
	for _, m := range optionValue.FindAllSubmatch(body, -1) {
		if v := string(m[1]); option == "" && strings.HasPrefix(v, eid) {
			option = v
		}
	}
	if csrf == nil || option == "" {
		t.Fatalf("login page without a form or %s:\n%s", eid, body)
	}
	target, _ := page.Parse(html.UnescapeString(string(action[1])))
	resp, err := c.PostForm(target.String(), url.Values{"option": {option}, "csrf_token": {string(csrf[1])}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	next, _ := target.Parse(resp.Header.Get("Location"))
	return next
}
