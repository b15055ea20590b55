package conformance_test

import (
	"net/http"
	"strings"
	"testing"
)

// RFC 9700 §4.1 and §4.11: redirect_uri matches the registered string exactly, and
// a request whose redirect_uri does not match ends on an error page, never in a
// redirect — whatever else is wrong with the request.
func TestSecurityRedirectURIExactMatch(t *testing.T) {
	h := newHarness(t)
	r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
	variants := []struct{ name, uri string }{
		{"unregistered host", "https://evil.example/callback"},
		{"case of path", "https://rp.example/Callback"},
		{"case of host", "https://RP.example/callback"},
		{"case of scheme", "HTTPS://rp.example/callback"},
		{"trailing slash", hRedirect + "/"},
		{"percent-encoded path", "https://rp.example/%63allback"},
		{"percent-encoded whole", "https%3A%2F%2Frp.example%2Fcallback"},
		{"encoded trailing slash", hRedirect + "%2F"},
		{"extra query", hRedirect + "?x=1"},
		{"empty query", hRedirect + "?"},
		{"fragment", hRedirect + "#x"},
		{"empty fragment", hRedirect + "#"},
		{"userinfo before host", "https://rp.example@evil.example/callback"},
		{"userinfo on the host", "https://user@rp.example/callback"},
		{"path traversal back", "https://rp.example/callback/../callback"},
		{"path traversal into", "https://rp.example/x/../callback"},
		{"dot segment", "https://rp.example/./callback"},
		{"explicit default port", "https://rp.example:443/callback"},
		{"http downgrade", "http://rp.example/callback"},
		{"subdomain", "https://evil.rp.example/callback"},
		{"suffix host", "https://rp.example.evil.example/callback"},
		{"leading space", " " + hRedirect},
		{"trailing space", hRedirect + " "},
		{"backslash", `https://rp.example\@evil.example/callback`},
		{"missing", ""},
	}
	for _, v := range variants {
		for _, mode := range []string{"query", "form_post"} {
			t.Run(v.name+"/"+mode, func(t *testing.T) {
				req := r.harnessRequest()
				req.params.Set("redirect_uri", v.uri)
				if mode == "form_post" {
					req.params.Set("response_mode", "form_post")
				}
				expectNoRedirect(t, newBrowser(t), r, req)
				// Even a request that is wrong in other ways too must not be sent back.
				req.params.Set("response_type", "token")
				expectNoRedirect(t, newBrowser(t), r, req)
			})
		}
	}
}

// expectNoRedirect sends the request and checks the answer is a 400 HTML page
// with no Location and no form to the client.
func expectNoRedirect(t *testing.T, b *browser, r *rp, req *request) {
	t.Helper()
	httpReq, _ := http.NewRequest(http.MethodGet, r.issuer+"/authorize?"+req.params.Encode(), nil)
	resp, err := b.c.Do(httpReq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" || (resp.StatusCode >= 300 && resp.StatusCode < 400) {
		t.Fatalf("status %d, redirected to %q; want an error page", resp.StatusCode, loc)
	}
	if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("status %d type %q; want a 400 HTML error page", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	page := readAll(resp)
	if strings.Contains(page, "<form") && strings.Contains(page, "rp.example") {
		t.Errorf("the error page holds a form to the client: %.300s", page)
	}
}
