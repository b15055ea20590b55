package demo

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Under an https base the demo's session cookie has the __Host- prefix, as the
// broker's cookies do, so a sibling subdomain cannot plant a session; plain-http
// dev mode keeps the bare name.
func TestSessionCookieNameAndFlags(t *testing.T) {
	for _, tc := range []struct {
		base, name, path string
		secure           bool
	}{
		{"https://rp.example/demo", "__Host-pv_demo", "/", true},
		{"http://127.0.0.1:8080/demo", "pv_demo", "/demo", false},
	} {
		srv := httptest.NewServer(New(Options{Issuer: "https://login.example", Base: tc.base}).Handler())
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/demo/logout", nil)
		req.AddCookie(&http.Cookie{Name: tc.name, Value: "x"})
		resp, err := c.Do(req)
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var got *http.Cookie
		for _, ck := range resp.Cookies() {
			got = ck
		}
		if got == nil || got.Name != tc.name || got.Path != tc.path || got.Secure != tc.secure || !got.HttpOnly {
			t.Errorf("base %s: cookie %+v; want %s, Path %s, Secure %v, HttpOnly", tc.base, got, tc.name, tc.path, tc.secure)
		}
	}
}
