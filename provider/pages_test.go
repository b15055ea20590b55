package provider_test

import (
	"io"
	"net/http"
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
