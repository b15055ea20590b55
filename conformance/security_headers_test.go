package conformance_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// RFC 9700 §2.6 and FAPI 2.0: no CORS on the authorization endpoint (nor the
// login pages); CORS on what browser-based clients call: token, JWKS, discovery,
// userinfo.
func TestSecurityCORS(t *testing.T) {
	d := dev(t)
	const origin = "https://spa.example"
	authorize := d.issuer + "/authorize?" + url.Values{"client_id": {"demo"}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {d.redirectURI()}, "acr_values": {mitidACR}}.Encode()
	check := func(t *testing.T, method, target, reqMethod string, want bool) {
		t.Helper()
		req, _ := http.NewRequest(method, target, nil)
		req.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", reqMethod)
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		}
		resp, err := newBrowser(t).c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		acao := resp.Header.Get("Access-Control-Allow-Origin")
		if got := acao != ""; got != want {
			t.Errorf("%s %s: Access-Control-Allow-Origin %q; want present %v", method, target, acao, want)
		}
	}
	for _, tc := range []struct {
		name, target, method string
		want                 bool
	}{
		{"authorize", authorize, http.MethodGet, false},
		{"authorize POST", d.issuer + "/authorize", http.MethodPost, false},
		{"login page", d.issuer + "/login/x", http.MethodGet, false}, // preflight: TestGapCORS
		{"token", d.issuer + "/oauth/token", http.MethodPost, true},
		{"jwks", d.issuer + "/keys", http.MethodGet, true},
		{"discovery", d.issuer + "/.well-known/openid-configuration", http.MethodGet, true},
		{"userinfo", d.issuer + "/userinfo", http.MethodGet, true},
	} {
		if tc.name != "login page" {
			t.Run(tc.name+"/preflight", func(t *testing.T) { check(t, http.MethodOptions, tc.target, tc.method, tc.want) })
		}
		if tc.method == http.MethodGet {
			t.Run(tc.name+"/simple", func(t *testing.T) { check(t, http.MethodGet, tc.target, "", tc.want) })
		}
	}
}

// RFC 9700 §4.16 and §4.2: every page the person sees (authorize error pages,
// the eID chooser, the form_post page that carries the code) refuses framing and
// sends no referrer.
func TestSecurityPageHeaders(t *testing.T) {
	d := dev(t)
	base := func() url.Values {
		return url.Values{"client_id": {"demo"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {d.redirectURI()}, "state": {"s"}}
	}
	pages := map[string]func(t *testing.T) (*http.Response, string){
		"authorize error page, unknown client": func(t *testing.T) (*http.Response, string) {
			q := base()
			q.Set("client_id", "nobody")
			return get(t, newBrowser(t), d.issuer+"/authorize?"+q.Encode())
		},
		"authorize error page, bad redirect_uri": func(t *testing.T) (*http.Response, string) {
			q := base()
			q.Set("redirect_uri", "https://evil.example/")
			return get(t, newBrowser(t), d.issuer+"/authorize?"+q.Encode())
		},
		"eID chooser (login page)": func(t *testing.T) (*http.Response, string) {
			b := newBrowser(t)
			resp, _ := get(t, b, d.issuer+"/authorize?"+base().Encode())
			loc, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
			if err != nil || !strings.Contains(loc.Path, "/login/") {
				t.Fatalf("authorize sent the browser to %q, want the login page", resp.Header.Get("Location"))
			}
			return get(t, b, loc.String())
		},
		"unknown login": func(t *testing.T) (*http.Response, string) {
			return get(t, newBrowser(t), d.issuer+"/login/unknown")
		},
		"form_post response": func(t *testing.T) (*http.Response, string) {
			q := base()
			q.Set("acr_values", mitidACR)
			q.Set("response_mode", "form_post")
			q.Set("prompt", "none")
			return get(t, newBrowser(t), d.issuer+"/authorize?"+q.Encode())
		},
	}
	for name, fetch := range pages {
		t.Run(name, func(t *testing.T) {
			resp, body := fetch(t) //nolint:bodyclose // get has read and closed the body
			h := resp.Header
			if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d type %q: not a page; %.200s", resp.StatusCode, h.Get("Content-Type"), body)
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q lacks frame-ancestors 'none'", h.Get("Content-Security-Policy"))
			}
			if h.Get("X-Frame-Options") != "DENY" {
				t.Errorf("X-Frame-Options %q, want DENY", h.Get("X-Frame-Options"))
			}
			if h.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("Referrer-Policy %q, want no-referrer", h.Get("Referrer-Policy"))
			}
			if !strings.Contains(h.Get("Cache-Control"), "no-store") {
				t.Errorf("Cache-Control %q, want no-store", h.Get("Cache-Control"))
			}
		})
	}
}

func get(t *testing.T, b *browser, target string) (*http.Response, string) {
	t.Helper()
	resp, err := b.c.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp, readAll(resp)
}

// RFC 9207: iss on every authorization response, success and error, in both
// response modes, beside the unchanged state.
func TestSecurityIssOnAuthorizationResponses(t *testing.T) {
	h := newHarness(t)
	for _, mode := range []string{"", "form_post"} {
		r := h.rpFor(t, hBasicID, hBasicSecret, "client_secret_basic")
		r.responseMode = mode
		name := "query"
		if mode != "" {
			name = mode
		}
		for _, tc := range []struct {
			name string
			edit func(url.Values)
			want string
		}{
			{"success", func(url.Values) {}, ""},
			{"unsupported_response_type", func(q url.Values) { q.Set("response_type", "token") }, "unsupported_response_type"},
			{"missing response_type", func(q url.Values) { q.Del("response_type") }, "invalid_request"},
			{"no openid scope", func(q url.Values) { q.Set("scope", "profile") }, "invalid_scope"},
			{"prompt none without session", func(q url.Values) { q.Set("prompt", "none") }, "login_required"},
			{"unsigned request object", func(q url.Values) { q.Set("request", "e30.e30.") }, "invalid_request_object"},
			{"request_uri", func(q url.Values) { q.Set("request_uri", "https://rp.example/r") }, "request_uri_not_supported"},
			{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, "invalid_request"},
			{"unreachable level", func(q url.Values) { q.Set("acr_values", hInstantACR+" http://eidas.europa.eu/LoA/high") }, "unmet_authentication_requirements"},
			{"bad claims JSON", func(q url.Values) { q.Set("claims", "{") }, "invalid_request"},
		} {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				req := r.harnessRequest()
				tc.edit(req.params)
				got := newBrowser(t).authorize(r, http.MethodGet, req.params)
				if tc.want == "" {
					r.expectCode(t, got, req.state)
					return
				}
				if e := r.expectError(t, got, req.state); e != tc.want {
					t.Errorf("error %s, want %s", e, tc.want)
				}
			})
		}
	}
}
