package broker_test

import (
	"encoding/json"
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

// browser is a person's browser as these tests drive it: one cookie jar, redirects
// followed by hand so each step can be seen, English pages.
type browser struct {
	t      testing.TB
	client *http.Client
}

func newBrowser(t testing.TB) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// landing is where following a link ended: a page, or the relying party's
// redirect URI (rp holds its query then).
type landing struct {
	url    *url.URL
	status int
	header http.Header
	body   string
	rp     url.Values
}

// visit GETs target and follows redirects until a page or the relying party.
func (b *browser) visit(target string) landing {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.follow(req)
}

// submit POSTs form to action (relative to the page it is on) and follows the
// redirects.
func (b *browser) submit(from *url.URL, action string, form url.Values) landing {
	b.t.Helper()
	target, err := from.Parse(action)
	if err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.follow(req)
}

func (b *browser) follow(req *http.Request) landing {
	b.t.Helper()
	return b.followUntil(req, func(*url.URL) bool { return false })
}

// visitUntil is visit that stops before fetching the first URL stop accepts; the
// landing's url is that URL.
func (b *browser) visitUntil(target string, stop func(*url.URL) bool) landing {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.followUntil(req, stop)
}

func (b *browser) followUntil(req *http.Request, stop func(*url.URL) bool) landing {
	b.t.Helper()
	for hop := 0; hop < 20; hop++ {
		req.Header.Set("Accept-Language", "en")
		resp, err := b.client.Do(req)
		if err != nil {
			b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode > 399 || resp.Header.Get("Location") == "" {
			return landing{url: req.URL, status: resp.StatusCode, header: resp.Header, body: string(body)}
		}
		next, err := req.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			b.t.Fatal(err)
		}
		if strings.HasPrefix(next.String(), rpRedirect) {
			return landing{url: next, status: resp.StatusCode, header: resp.Header, rp: next.Query()}
		}
		if stop(next) {
			return landing{url: next, status: resp.StatusCode, header: resp.Header}
		}
		if req, err = http.NewRequest(http.MethodGet, next.String(), nil); err != nil {
			b.t.Fatal(err)
		}
	}
	b.t.Fatal("more than 20 redirects")
	return landing{}
}

var (
	formAction  = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	cancelLink  = regexp.MustCompile(`class="pv-cancel"><a[^>]*href="([^"]+)"`)
)

// approveAtSimulator plays the person approving on an OpenID simulator's page as
// the test user with nationalID.
func (b *browser) approveAtSimulator(page landing, nationalID string) landing {
	b.t.Helper()
	if page.status != http.StatusOK || !strings.Contains(page.url.Path, "/sim/") {
		b.t.Fatalf("expected the simulator's page, got %d at %s: %.300s", page.status, page.url, page.body)
	}
	action := formAction.FindStringSubmatch(page.body)
	if action == nil {
		b.t.Fatalf("no form on the simulator's page: %.500s", page.body)
	}
	form := url.Values{"action": {"approve"}, "user": {nationalID}}
	for _, m := range hiddenInput.FindAllStringSubmatch(page.body, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	return b.submit(page.url, html.UnescapeString(action[1]), form)
}

// cancelFromLoginPage follows the login page's "Cancel and return" link.
func (b *browser) cancelFromLoginPage(page landing) landing {
	b.t.Helper()
	m := cancelLink.FindStringSubmatch(page.body)
	if m == nil {
		b.t.Fatalf("no cancel link on the login page: %.500s", page.body)
	}
	target, err := page.url.Parse(html.UnescapeString(m[1]))
	if err != nil {
		b.t.Fatal(err)
	}
	return b.visit(target.String())
}

// peek GETs target without following a redirect and returns the status and where
// it points.
func (b *browser) peek(target string) (int, *url.URL) {
	b.t.Helper()
	resp, err := b.client.Get(target)
	if err != nil {
		b.t.Fatalf("GET %s: %v", target, err)
	}
	resp.Body.Close()
	var loc *url.URL
	if l := resp.Header.Get("Location"); l != "" {
		if loc, err = resp.Request.URL.Parse(l); err != nil {
			b.t.Fatal(err)
		}
	}
	return resp.StatusCode, loc
}

// orderStatus is what the order page's script polls.
type orderStatus struct {
	Status   string `json:"status"`
	Redirect string `json:"redirect"`
}

// awaitOrder polls the order's status at base, as the order page's script does,
// until the order is over, and returns where the page goes next.
func (b *browser) awaitOrder(base, loginPath string, within time.Duration) string {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := b.client.Get(base + loginPath + "/status")
		if err != nil {
			b.t.Fatal(err)
		}
		var st orderStatus
		err = json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if err == nil && st.Status != "pending" {
			if st.Status != "complete" {
				b.t.Fatalf("the order ended %q", st.Status)
			}
			return base + st.Redirect
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the order was still pending after %s (last answer %d)", within, resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond) // the page's own poll rhythm, shortened
	}
}

// hasCookie reports whether the browser holds a cookie named name for base.
func hasCookie(b *browser, base, name string) bool {
	u, err := url.Parse(base)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return true
		}
	}
	return false
}
