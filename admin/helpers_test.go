package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/testenv"
)

// broker is dev mode running in the test process.
type broker struct {
	issuer string
	env    *devmode.Env
}

func startBroker(t *testing.T, o devmode.Options) *broker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if o.Data == "" {
		o.Data = t.TempDir()
	}
	o.AutoApprove = true
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	env, err := devmode.Start(ctx, ln, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = env.Wait() })
	return &broker{issuer: env.Issuer, env: env}
}

// startTwoBrokers starts two brokers on one MariaDB database, as two replicas.
func startTwoBrokers(t *testing.T) (a, b *broker) {
	t.Helper()
	dsn := testenv.MySQLDatabase(t)
	dataA, dataB := t.TempDir(), t.TempDir()
	a = startBroker(t, devmode.Options{DBDriver: "mysql", DSN: dsn, Data: dataA})
	copyMasterKey(t, dataA, dataB)
	return a, startBroker(t, devmode.Options{DBDriver: "mysql", DSN: dsn, Data: dataB})
}

// copyMasterKey lets a second process share the first one's database secrets.
func copyMasterKey(t *testing.T, fromData, toData string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fromData, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(toData, "master.key"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// token gets an admin API token with the client_credentials grant.
func (b *broker) token(t *testing.T, id, secret string) string {
	t.Helper()
	return b.accessToken(t, id, secret, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}})
}

// accessToken asks the token endpoint, as the client, for an access token.
func (b *broker) accessToken(t *testing.T, id, secret string, form url.Values) string {
	t.Helper()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if status := b.postAsClient(t, "/oauth/token", id, secret, form, &body); body.AccessToken == "" {
		t.Fatalf("token for %s: status %d", id, status)
	}
	return body.AccessToken
}

// postAsClient posts a form to the broker with the client's basic credentials and
// decodes the JSON answer into out.
func (b *broker) postAsClient(t *testing.T, path, id, secret string, form url.Values, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("POST %s as %s: status %d: %v", path, id, resp.StatusCode, err)
	}
	return resp.StatusCode
}

func (b *broker) adminToken(t *testing.T) string {
	return b.token(t, devmode.AdminClientID, devmode.AdminClientSecret)
}

// call sends a JSON request to the admin API and decodes the answer into out.
func (b *broker) call(t *testing.T, token, method, path string, in, out any) (int, http.Header) {
	t.Helper()
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.issuer+"/admin/api/v1"+path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: status %d, body %.300s: %v", method, path, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode, resp.Header
}

func (b *broker) mustCall(t *testing.T, token, method, path string, in, out any, want int) {
	t.Helper()
	var raw json.RawMessage
	status, _ := b.call(t, token, method, path, in, &raw)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, path, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// browser is a person's browser that does not follow redirects on its own.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page is where a login stopped: at the client (Query set) or on an HTML page.
type page struct {
	URL   *url.URL
	Query url.Values
	HTML  string
}

// follow runs a login from start until it reaches redirectURI or a page that
// is not a redirect.
func follow(t *testing.T, c *http.Client, start, redirectURI string) page {
	t.Helper()
	next, _ := url.Parse(start)
	for range 20 {
		resp, err := c.Get(next.String())
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			return page{URL: next, HTML: string(body)}
		}
		loc, err := next.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(loc.String(), redirectURI) {
			return page{URL: loc, Query: loc.Query()}
		}
		next = loc
	}
	t.Fatal("no end after 20 redirects")
	return page{}
}

func post(t *testing.T, c *http.Client, from *url.URL, action string, form url.Values, redirectURI string) page {
	t.Helper()
	target, _ := from.Parse(action)
	resp, err := c.PostForm(target.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST %s: status %d", target, resp.StatusCode)
	}
	loc, _ := target.Parse(resp.Header.Get("Location"))
	if strings.HasPrefix(loc.String(), redirectURI) {
		return page{URL: loc, Query: loc.Query()}
	}
	return follow(t, c, loc.String(), redirectURI)
}

var optionPattern = regexp.MustCompile(`name="option" value="([^"]+)"`)

// offeredEIDs are the connector ids on a login page.
func offeredEIDs(html string) map[string]bool {
	out := map[string]bool{}
	for _, m := range optionPattern.FindAllStringSubmatch(html, -1) {
		id, _, _ := strings.Cut(m[1], "/")
		out[id] = true
	}
	return out
}

func authorizeURL(issuer, clientID, redirectURI string, extra url.Values) string {
	v := url.Values{"client_id": {clientID}, "response_type": {"code"}, "scope": {"openid profile"},
		"redirect_uri": {redirectURI}, "state": {"st"}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"}}
	for k, vs := range extra {
		v[k] = vs
	}
	return issuer + "/authorize?" + v.Encode()
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
var consentActionPattern = regexp.MustCompile(`action="(/login/[^"]+/consent)"`)
