package conformance_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/config"
)

// An interop test runs a relying party built on a real library as an HTTP server
// (/login, /callback, /logout) and drives a browser through it and the broker.
// The RP answers its callback with a JSON report the test asserts on.

// rpReport is what an interop RP reports after its callback.
type rpReport struct {
	Error        string         `json:"error,omitempty"`
	Subject      string         `json:"sub"`
	IDClaims     map[string]any `json:"id_token_claims"`
	Userinfo     map[string]any `json:"userinfo"`
	IDToken      string         `json:"id_token"`
	AccessToken  string         `json:"access_token"`
	EndSessionTo string         `json:"end_session_url,omitempty"`
}

// interopRP starts an RP server and registers it as a client of dev mode with its
// callback and post-logout URLs. handler gets the server's base URL.
func interopRP(t *testing.T, d *devEnv, clientID, secret string, handler func(base string) http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	mux.Handle("/", handler(srv.URL))
	err := registerClient(context.Background(), d.env.Broker.Store, config.Client{
		ID: clientID, Name: clientID, Secret: secret,
		RedirectURIs:           []string{srv.URL + "/callback"},
		PostLogoutRedirectURIs: []string{srv.URL + "/logged-out"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// browse follows every redirect from start, through the broker and the eID
// simulator, and returns the last response's status, body and URL.
func browse(t *testing.T, b *browser, start string) (int, string, *url.URL) {
	t.Helper()
	next, _ := url.Parse(start)
	for hop := 0; hop < 25; hop++ {
		resp, err := b.c.Get(next.String())
		if err != nil {
			t.Fatalf("GET %s: %v", next, err)
		}
		body := readAll(resp)
		resp.Body.Close()
		if resp.StatusCode < 300 || resp.StatusCode >= 400 {
			return resp.StatusCode, body, next
		}
		if next, err = next.Parse(resp.Header.Get("Location")); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("more than 25 redirects from %s", start)
	return 0, "", nil
}

func (rep *rpReport) decode(t *testing.T, status int, body string) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("RP callback: status %d: %.400s", status, body)
	}
	if err := json.Unmarshal([]byte(body), rep); err != nil {
		t.Fatalf("RP callback: %v: %.400s", err, body)
	}
	if rep.Error != "" {
		t.Fatalf("RP: %s", rep.Error)
	}
}

// checkIssParam is RFC 9207 as a strict client applies it: the authorization
// response must name the issuer the client started with.
func checkIssParam(r *http.Request, issuer string) error {
	if got := r.FormValue("iss"); got != issuer {
		return &issMismatch{got: got, want: issuer}
	}
	return nil
}

type issMismatch struct{ got, want string }

func (e *issMismatch) Error() string {
	return "authorization response iss " + quote(e.got) + ", want " + quote(e.want)
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// expectLoggedOut checks that after RP-initiated logout the broker no longer
// answers prompt=none for that client in this browser, and that the tokens are
// revoked.
func expectLoggedOut(t *testing.T, d *devEnv, b *browser, clientID, redirectURI, accessToken string) {
	t.Helper()
	q := url.Values{"client_id": {clientID}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {redirectURI},
		"prompt": {"none"}, "state": {"after-logout"}, "acr_values": {mitidACR}, "code_challenge": {s256(randomString() + randomString())},
		"code_challenge_method": {"S256"}}
	resp, err := b.c.Get(d.issuer + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if got := loc.Query().Get("error"); got != "login_required" {
		t.Errorf("prompt=none after logout: %s; want login_required", resp.Header.Get("Location"))
	}
	req, _ := http.NewRequest(http.MethodGet, d.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	ui, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ui.Body.Close()
	if ui.StatusCode == http.StatusOK {
		t.Errorf("the access token still works after logout")
	}
}
