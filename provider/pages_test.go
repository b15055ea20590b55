package provider_test

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/themes"
)

// rawKey finds a message id that reached a page untranslated ("order.title").
var rawKey = regexp.MustCompile(`\b(app|layout|login|order|error|consent|formpost|logout|method|level|country|eid)\.[a-z_]+(\.[a-z_]+)*\b`)

// pageText fetches a page and returns its status and body.
func pageText(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// title is the text of a page's <title>.
func title(body string) string {
	_, rest, _ := strings.Cut(body, "<title>")
	text, _, _ := strings.Cut(rest, "</title>")
	return text
}

// wantFinishedText fails on template data the page lacked or a message id shown
// instead of its text.
func wantFinishedText(t *testing.T, what, body string) {
	t.Helper()
	for _, bad := range []string{"<no value>", "&lt;no value&gt;"} {
		if strings.Contains(body, bad) {
			t.Errorf("%s shows %q: %s", what, bad, title(body))
		}
	}
	// Only the visible text: attribute values carry CSS class names with dots.
	visible := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
	if key := rawKey.FindString(visible); key != "" {
		t.Errorf("%s shows the message id %q instead of its text", what, key)
	}
}

// The order page's tab title names the eID, in every language.
func TestOrderPageTitleNamesTheEID(t *testing.T) {
	b := newBroker(t)
	for _, lang := range themes.Languages() {
		t.Run(lang, func(t *testing.T) {
			b.orders.script["199001012389"] = []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusPending}}
			c := browser(t)
			login := startOrder(t, b, c, "199001012389", lang)
			_, body := pageText(t, c, login)
			wantFinishedText(t, "the order page", body)
			if got := title(body); !strings.Contains(got, "Order eID") {
				t.Errorf("the order page's title is %q, want it to name the eID", got)
			}
		})
	}
}

// reference is the support reference an error page shows.
var reference = regexp.MustCompile(`<code>([A-Z0-9-]{8,})</code>`)

// returnLink is the error page's way back to the client.
var returnLink = regexp.MustCompile(`<a class="pv-button[^"]*" href="([^"]+)"`)

// Every error page has a way on: back to the client's home where the client is
// known, and always a reference the person can quote, which is in the log.
func TestErrorPagesHaveAWayOn(t *testing.T) {
	b := newBroker(t)
	authorize := func(client, redirect string) string {
		q := url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {redirect}, "state": {"s"}}
		return b.URL + "/authorize?" + q.Encode()
	}
	answered := func(t *testing.T, c *http.Client) string {
		b.orders.script["199001012389"] = []connectors.Progress{{Status: connectors.StatusPending}}
		login := startOrder(t, b, c, "199001012389", "en")
		st := pollStatus(t, c, login)
		if st.Status != "complete" {
			t.Fatalf("poll: %+v", st)
		}
		if status, _ := pageText(t, c, b.URL+st.Redirect); status != http.StatusFound {
			t.Fatalf("finishing the login: status %d", status)
		}
		return b.URL + st.Redirect
	}
	for _, tc := range []struct {
		name   string
		url    func(t *testing.T, c *http.Client) string
		status int
		home   string // "" when the client is not known
	}{
		{"unregistered redirect_uri", func(*testing.T, *http.Client) string { return authorize("rp1", "https://evil.example/cb") }, http.StatusBadRequest, "https://rp.example/"},
		{"unregistered redirect_uri, client_uri", func(*testing.T, *http.Client) string { return authorize("rp2", "https://evil.example/cb") }, http.StatusBadRequest, rp2Home},
		{"unknown client", func(*testing.T, *http.Client) string { return authorize("nobody", rpRedirect) }, http.StatusBadRequest, ""},
		{"unknown login", func(*testing.T, *http.Client) string { return b.URL + "/login/no-such-login" }, http.StatusBadRequest, ""},
		{"finished login again", answered, http.StatusBadRequest, "https://rp.example/"},
		{"unknown path", func(*testing.T, *http.Client) string { return b.URL + "/no/such/page" }, http.StatusNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := browser(t)
			status, body := pageText(t, c, tc.url(t, c))
			if status != tc.status || !strings.Contains(body, `class="pv-card"`) {
				t.Fatalf("status %d, want %d and the broker's page: %.200s", status, tc.status, body)
			}
			wantFinishedText(t, "the error page", body)
			ref := reference.FindStringSubmatch(body)
			if ref == nil {
				t.Errorf("the page has no support reference")
			} else if !strings.Contains(b.logs.String(), ref[1]) {
				t.Errorf("the reference %s is not in the log", ref[1])
			}
			link := returnLink.FindStringSubmatch(body)
			switch {
			case tc.home == "" && link != nil:
				t.Errorf("the page links to %s for a client it does not know", link[1])
			case tc.home != "" && (link == nil || link[1] != tc.home):
				t.Errorf("the page's way back is %v, want %s", link, tc.home)
			}
		})
	}
}

// chooser opens the login page of rp1 (every eID) with the browser's languages.
func chooser(t *testing.T, b *broker, acceptLanguage string, uiLocales string) string {
	t.Helper()
	q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}, "state": {"s"}}
	if uiLocales != "" {
		q.Set("ui_locales", uiLocales)
	}
	req, _ := http.NewRequest(http.MethodGet, b.URL+"/authorize?"+q.Encode(), nil)
	req.Header.Set("Accept-Language", acceptLanguage)
	resp, err := browser(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

var countryGroup = regexp.MustCompile(`id="pv-country-([a-z]{2})"`)

// The chooser puts the person's country first (ui_locales, then the browser's
// languages) and shows no levels of assurance.
func TestChooserPutsThePersonsCountryFirst(t *testing.T) {
	b := newBroker(t)
	for _, tc := range []struct{ accept, uiLocales, first string }{
		{"", "", "se"},
		{"fi-FI,fi;q=0.9", "", "fi"},
		{"fi", "sv", "se"},
		{"en", "sv-FI", "fi"},
	} {
		body := chooser(t, b, tc.accept, tc.uiLocales)
		groups := countryGroup.FindAllStringSubmatch(body, -1)
		if len(groups) != 2 || groups[0][1] != tc.first {
			t.Errorf("Accept-Language %q, ui_locales %q: groups %v, want %s first", tc.accept, tc.uiLocales, groups, tc.first)
		}
		if strings.Contains(body, "pv-badge") {
			t.Errorf("the chooser shows a level of assurance")
		}
		wantFinishedText(t, "the chooser", body)
	}
}

// languageTransport sends the browser's language with every request.
type languageTransport struct{ lang string }

func (l languageTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Accept-Language", l.lang)
	return http.DefaultTransport.RoundTrip(r)
}

// Every page the broker renders, in every language, has a title and shows no
// "<no value>" and no message id where its text belongs.
func TestEveryBrokerPageInEveryLanguage(t *testing.T) {
	b := newBroker(t)
	pages := map[string]func(t *testing.T, c *http.Client) string{
		"chooser": func(t *testing.T, c *http.Client) string {
			q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect}, "state": {"s"}}
			return b.URL + "/authorize?" + q.Encode()
		},
		"order": func(t *testing.T, c *http.Client) string {
			b.orders.script["199001012389"] = []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusPending}}
			return startOrder(t, b, c, "199001012389", "")
		},
		"error":           func(*testing.T, *http.Client) string { return b.URL + "/login/no-such-login" },
		"not found":       func(*testing.T, *http.Client) string { return b.URL + "/no/such/page" },
		"logged out":      func(*testing.T, *http.Client) string { return b.URL + "/logged-out" },
		"logout question": func(*testing.T, *http.Client) string { return b.URL + "/end_session?client_id=rp1" },
	}
	for _, lang := range themes.Languages() {
		for name, open := range pages {
			t.Run(lang+"/"+name, func(t *testing.T) {
				c := browser(t)
				c.Transport = languageTransport{lang}
				_, body := pageText(t, c, open(t, c))
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Fatalf("the page is not in %s: %.200s", lang, body)
				}
				if strings.TrimSpace(title(body)) == "" {
					t.Error("the page has no title")
				}
				wantFinishedText(t, "the "+name+" page", body)
			})
		}
	}
}
