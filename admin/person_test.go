package admin_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/consoletest"
	"github.com/portvakt/portvakt/internal/testid"
)

// pageSession is a browser signed in to the admin page.
type pageSession struct {
	c    *http.Client
	b    *broker
	csrf string
}

func signInToAdminPage(t *testing.T, b *broker, userAgent string) *pageSession {
	t.Helper()
	s := &pageSession{c: consoletest.Browser(userAgent), b: b}
	consoletest.SignIn(t, s.c, b.issuer, "/admin", "dk-mitid")
	var info struct {
		SignedIn bool     `json:"signed_in"`
		Roles    []string `json:"roles"`
		CSRF     string   `json:"csrf_token"`
	}
	s.do(t, "GET", "/admin/session", nil, &info, "")
	if !info.SignedIn || info.CSRF == "" || strings.Join(info.Roles, ",") != "admin,auditor" {
		t.Fatalf("session after sign-in: %+v", info)
	}
	s.csrf = info.CSRF
	return s
}

func (s *pageSession) do(t *testing.T, method, path string, in, out any, csrf string) int {
	t.Helper()
	var body *bytes.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	} else {
		body = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, s.b.issuer+path, body)
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	resp, err := s.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// TestAdminPagePersonUsesTheAPI: a person signed in to the admin page with an
// eID uses the admin API with the page's session: reads with their roles as
// they are now, changes only with the session's CSRF token, audited as the
// person; a revoked role stops the next request, and the session cookie
// replayed from another browser opens nothing.
func TestAdminPagePersonUsesTheAPI(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	s := signInToAdminPage(t, b, "admin-browser/1")
	if code := s.do(t, "GET", "/admin/api/v1/clients", nil, nil, ""); code != http.StatusOK {
		t.Fatalf("list clients with the session: %d", code)
	}
	agent := testid.Personnummer(time.Date(1979, 9, 9, 0, 0, 0, 0, time.UTC), 345)
	grant := map[string]string{"role": "agent", "national_id": agent}
	if code := s.do(t, "POST", "/admin/api/v1/roles/grant", grant, nil, ""); code != http.StatusForbidden {
		t.Errorf("grant without the CSRF token: %d, want 403", code)
	}
	if code := s.do(t, "POST", "/admin/api/v1/roles/grant", grant, nil, "forged"); code != http.StatusForbidden {
		t.Errorf("grant with a forged CSRF token: %d, want 403", code)
	}
	if code := s.do(t, "POST", "/admin/api/v1/roles/grant", grant, nil, s.csrf); code != http.StatusOK {
		t.Fatalf("grant with the CSRF token: %d", code)
	}
	var listed struct {
		Roles []map[string]any `json:"roles"`
	}
	s.do(t, "GET", "/admin/api/v1/roles?role=agent", nil, &listed, "")
	found := false
	for _, r := range listed.Roles {
		if r["label"] == "**********"+agent[10:] && strings.HasPrefix(r["granted_by"].(string), "person:") {
			found = true
		}
	}
	if !found {
		t.Errorf("the grant is not listed as the person's: %v", listed.Roles)
	}
	var records struct {
		Records []map[string]any `json:"records"`
	}
	s.do(t, "GET", "/admin/api/v1/audit?national_id="+agent, nil, &records, "")
	if len(records.Records) != 1 || records.Records[0]["action"] != "role.grant" || !strings.HasPrefix(records.Records[0]["actor"].(string), "person:") {
		t.Errorf("the grant's audit record: %v", records.Records)
	}

	t.Run("cookie stolen to another browser", func(t *testing.T) {
		thief := consoletest.Browser("thief/2")
		u := mustParse(t, b.issuer+"/admin/")
		thief.Jar.SetCookies(u, s.c.Jar.Cookies(u))
		stolen := &pageSession{c: thief, b: b}
		if code := stolen.do(t, "GET", "/admin/api/v1/clients", nil, nil, ""); code != http.StatusUnauthorized {
			t.Errorf("the stolen cookie: %d, want 401", code)
		}
	})

	t.Run("roles revoked", func(t *testing.T) {
		s := signInToAdminPage(t, b, "admin-browser/2")
		self := map[string]string{"role": "admin", "national_id": "1705904321"}
		if code := s.do(t, "POST", "/admin/api/v1/roles/revoke", self, nil, s.csrf); code != http.StatusOK {
			t.Fatalf("revoke own admin role: %d", code)
		}
		if code := s.do(t, "POST", "/admin/api/v1/roles/grant", grant, nil, s.csrf); code != http.StatusForbidden {
			t.Errorf("a change after the admin role was revoked: %d, want 403", code)
		}
		if code := s.do(t, "GET", "/admin/api/v1/clients", nil, nil, ""); code != http.StatusOK {
			t.Errorf("a read as auditor: %d, want 200", code)
		}
		auditor := b.adminToken(t)
		b.mustCall(t, auditor, "POST", "/roles/revoke", map[string]string{"role": "auditor", "national_id": "1705904321"}, nil, http.StatusOK)
		if code := s.do(t, "GET", "/admin/api/v1/clients", nil, nil, ""); code != http.StatusForbidden {
			t.Errorf("a read with no role left: %d, want 403", code)
		}
	})
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestConsoleClientIDsAreReserved: no client can be created under the prefix
// of the consoles' own clients, which would take their place.
func TestConsoleClientIDsAreReserved(t *testing.T) {
	b := startBroker(t, devmode.Options{})
	token := b.adminToken(t)
	for _, id := range []string{"portvakt-agent-console", "portvakt-shop"} {
		code, _ := b.call(t, token, "POST", "/clients", map[string]any{"id": id, "redirect_uris": []string{"https://shop.example/cb"}}, nil)
		if code != http.StatusBadRequest && code != http.StatusConflict {
			t.Errorf("create %s: %d, want refused", id, code)
		}
	}
}
