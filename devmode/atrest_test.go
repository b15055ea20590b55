package devmode

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/portvakt/portvakt/internal/consoletest"
	"github.com/portvakt/portvakt/internal/fakeciba"
	"github.com/portvakt/portvakt/internal/testenv"
)

// After logins with every eID and every scope, with consent remembered, single
// sign-on, the audit trail and the admin API in use, no table of the database
// holds a person's national id, name or birthdate in clear, as base64 or hex,
// or as its plain SHA-256.
func TestNothingIdentifyingIsStoredInClear(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts func(t *testing.T) Options
	}{
		{"sqlite", func(t *testing.T) Options { return Options{Data: t.TempDir()} }},
		{"mariadb", func(t *testing.T) Options {
			return Options{Data: t.TempDir(), DBDriver: "mysql", DSN: testenv.MySQLDatabase(t)}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts(t)
			o.AutoApprove = true
			caller := fakeciba.Person{NationalID: "198507232398", Country: "SE", Name: "Alva Simulantsson"}
			fake := fakeciba.Start(t, "portvakt-agent-console", caller)
			fake.AutoApprove = true
			o.AgentCIBAIssuer = fake.URL
			env := startScanEnv(t, o)
			people := env.loginEveryEID(t)
			env.pushHintedRequest(t, "150280-912B")
			env.useAdminAPI(t)
			env.useConsoles(t, caller.NationalID)
			env.scanEveryTable(t, people)
		})
	}
}

type scanEnv struct {
	issuer string
	env    *Env
	secret string
}

// The client the scan logs in to: created through the admin API, with consent.
const (
	scanClient   = "scan-rp"
	scanRedirect = "http://127.0.0.1:9/cb"
)

func startScanEnv(t *testing.T, o Options) *scanEnv {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	env, err := Start(ctx, ln, o)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = env.Wait()
	})
	s := &scanEnv{issuer: env.Issuer, env: env}
	var created struct {
		Secret string `json:"client_secret"`
	}
	s.admin(t, http.MethodPost, "/clients", map[string]any{
		"id": scanClient, "name": "Scan RP", "redirect_uris": []string{scanRedirect}, "consent": true, "login_hint_push": true,
		"purpose": "To test storage.", "scopes": []string{"national_id", "evidence"},
	}, &created)
	if created.Secret == "" {
		t.Fatal("the admin API created the client without a secret")
	}
	s.secret = created.Secret
	return s
}

// admin calls the admin API as the dev admin client.
func (s *scanEnv) admin(t *testing.T, method, path string, in, out any) {
	t.Helper()
	cc := clientcredentials.Config{ClientID: AdminClientID, ClientSecret: AdminClientSecret, TokenURL: s.issuer + "/oauth/token",
		Scopes: []string{"admin"}, AuthStyle: oauth2.AuthStyleInHeader}
	tok, err := cc.Token(t.Context())
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(t.Context(), method, s.issuer+"/admin/api/v1"+path, body)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("admin %s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("admin %s %s: %v: %s", method, path, err, raw)
		}
	}
}

// person is what must not be found: the claims an RP received about someone.
type person struct {
	nationalID, name, givenName, familyName, birthdate string
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	csrfInput  = regexp.MustCompile(`<input type="hidden" name="csrf_token" value="([^"]*)">`)
)

// loginEveryEID logs a person in with each eID (consent given and remembered),
// again with single sign-on, and uses the tokens; it returns who logged in.
func (s *scanEnv) loginEveryEID(t *testing.T) []person {
	t.Helper()
	var people []person
	for _, tc := range []struct{ acr, hint string }{
		{"urn:portvakt:eid:se:bankid:other-device", "198507232398"},
		{"urn:portvakt:eid:no:bankid", "14838512470"},
		{"urn:portvakt:eid:fi:ftn", "150280-912B"},
		{"urn:portvakt:eid:dk:mitid", "1705904321"},
		{"urn:portvakt:eid:freja:other-device", "21889112015"},
	} {
		jar, _ := cookiejar.New(nil)
		browser := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		claims, access := s.login(t, browser, tc.acr, "sub:"+tc.hint, "")
		if claims["national_id"] != tc.hint || claims["evidence"] == nil {
			t.Fatalf("%s: ID token claims %v, want the national id and evidence", tc.acr, claims)
		}
		p := person{nationalID: tc.hint}
		p.name, _ = claims["name"].(string)
		p.givenName, _ = claims["given_name"].(string)
		p.familyName, _ = claims["family_name"].(string)
		p.birthdate, _ = claims["birthdate"].(string)
		people = append(people, p)
		s.useToken(t, access)
		// Single sign-on: the same browser, no upstream, consent remembered.
		s.login(t, browser, tc.acr, "", "none")
	}
	return people
}

// login runs a code flow in browser, answering the consent page, and returns the
// ID token's claims and the access token.
func (s *scanEnv) login(t *testing.T, browser *http.Client, acr, hint, prompt string) (map[string]any, string) {
	t.Helper()
	cfg := s.oauth()
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("acr_values", acr)}
	if hint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	if prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", prompt))
	}
	req, _ := http.NewRequest(http.MethodGet, cfg.AuthCodeURL("st", opts...), nil)
	for hop := 0; hop < 30; hop++ {
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		switch {
		case strings.HasPrefix(loc, scanRedirect):
			u, _ := url.Parse(loc)
			if u.Query().Get("code") == "" {
				t.Fatalf("%s: the client got %v", acr, u.Query())
			}
			tok, err := cfg.Exchange(t.Context(), u.Query().Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatalf("%s: exchange: %v", acr, err)
			}
			return idTokenClaims(t, tok), tok.AccessToken
		case loc != "":
			next, _ := resp.Request.URL.Parse(loc)
			req, _ = http.NewRequest(http.MethodGet, next.String(), nil)
		case resp.StatusCode == http.StatusOK && formAction.Match(body) && csrfInput.Match(body):
			action, _ := resp.Request.URL.Parse(html.UnescapeString(string(formAction.FindSubmatch(body)[1])))
			form := url.Values{"csrf_token": {html.UnescapeString(string(csrfInput.FindSubmatch(body)[1]))}, "consent": {"allow"}, "remember": {"1"}}
			req, _ = http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		default:
			t.Fatalf("%s: stuck at %s: %d %.400s", acr, resp.Request.URL, resp.StatusCode, body)
		}
	}
	t.Fatalf("%s: no answer to the client after 30 steps", acr)
	return nil, ""
}

func (s *scanEnv) oauth() oauth2.Config {
	return oauth2.Config{ClientID: scanClient, ClientSecret: s.secret, RedirectURL: scanRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: s.issuer + "/authorize", TokenURL: s.issuer + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader},
		Scopes:   []string{"openid", "profile", "national_id", "evidence"}}
}

// useToken reads userinfo and introspects the access token, as the client.
func (s *scanEnv) useToken(t *testing.T, access string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.issuer+"/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	mustOK(t, "userinfo", req)
	req, _ = http.NewRequest(http.MethodPost, s.issuer+"/oauth/introspect", strings.NewReader(url.Values{"token": {access}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(scanClient, s.secret)
	mustOK(t, "introspection", req)
}

func mustOK(t *testing.T, what string, req *http.Request) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %.300s", what, resp.StatusCode, body)
	}
}

// useAdminAPI reads the audit trail, the consents and the chain's state, and
// changes a client: admin work that writes the audit trail too.
func (s *scanEnv) useAdminAPI(t *testing.T) {
	t.Helper()
	var audit struct {
		Records []map[string]any `json:"records"`
	}
	s.admin(t, http.MethodGet, "/audit", nil, &audit)
	if len(audit.Records) < 5 {
		t.Fatalf("the audit trail holds %d records, want the admin change and the logins", len(audit.Records))
	}
	var consents struct {
		Standing []map[string]any `json:"standing"`
	}
	s.admin(t, http.MethodGet, "/clients/"+scanClient+"/consents", nil, &consents)
	if len(consents.Standing) != 5 {
		t.Fatalf("%d standing consents, want one per person", len(consents.Standing))
	}
	s.admin(t, http.MethodGet, "/audit/verify", nil, nil)
	s.admin(t, http.MethodPost, "/clients/"+scanClient+"/disable", nil, nil)
}

// useConsoles signs a person in to the admin page and the agent console with
// MitID, and verifies a caller there; what the consoles keep (sessions, the
// verification and its result) is in the database when it is scanned.
func (s *scanEnv) useConsoles(t *testing.T, caller string) {
	t.Helper()
	consoletest.SignIn(t, consoletest.Browser("scan/1"), s.issuer, "/admin", "dk-mitid")
	browser := consoletest.Browser("scan/1")
	page := consoletest.SignIn(t, browser, s.issuer, "/agent", "dk-mitid")
	csrf := regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatal("the agent console page has no CSRF token")
	}
	post := func(path string, in any, out any) {
		t.Helper()
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(http.MethodPost, s.issuer+path, bytes.NewReader(b))
		req.Header.Set("X-CSRF-Token", csrf[1])
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	var started struct {
		ID string `json:"id"`
	}
	post("/agent/api/verifications", map[string]string{"country": "SE", "number": caller, "call_initiator": "user", "reason": "scan"}, &started)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var st struct {
			State string `json:"state"`
		}
		post("/agent/api/verifications/"+started.ID+"/status", nil, &st)
		if st.State == "approved" {
			return
		}
		if st.State != "pending" || time.Now().After(deadline) {
			t.Fatalf("the verification ended %q", st.State)
		}
	}
}

// scanEveryTable reads every column of every row of every table the schema
// lists and reports each form of each person's data it finds.
func (s *scanEnv) scanEveryTable(t *testing.T, people []person) {
	t.Helper()
	db := s.env.Broker.Store.DB()
	tables := listTables(t, db, s.env.Broker.Config.Storage.Driver)
	if len(tables) < 10 {
		t.Fatalf("the schema lists only the tables %v", tables)
	}
	forms := identifyingForms(people)
	rowsSeen := map[string]int{}
	for _, table := range tables {
		rows, err := db.QueryContext(t.Context(), "SELECT * FROM "+table) //nolint:gosec // G202: table names read from the schema itself
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			rowsSeen[table]++
			for i, v := range vals {
				for _, f := range forms {
					if bytes.Contains(v, f.bytes) {
						t.Errorf("%s.%s holds %s", table, cols[i], f.what)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	for _, table := range []string{"tokens", "auth_requests", "sessions", "audit_records", "consents", "consent_events"} {
		if rowsSeen[table] == 0 {
			t.Errorf("table %s is empty: the scan proves nothing about it", table)
		}
	}
}

func listTables(t *testing.T, db *sql.DB, driver string) []string {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
	if driver == "mysql" {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name"
	}
	rows, err := db.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	return out
}

// form is one way a value may be stored.
type form struct {
	what  string
	bytes []byte
}

// identifyingForms are the needles: each value in clear, its digits alone (a
// national id without separators), hex and base64 at every alignment, and its
// plain SHA-256 raw, in hex and in base64. Values too short to be told from
// chance in random bytes (a four-letter given name) are left to the full name.
func identifyingForms(people []person) []form {
	var out []form
	add := func(what string, b []byte) { out = append(out, form{what, b}) }
	for _, p := range people {
		for _, v := range []struct{ kind, value string }{
			{"national id", p.nationalID}, {"name", p.name}, {"given name", p.givenName},
			{"family name", p.familyName}, {"birthdate", p.birthdate},
		} {
			if len(v.value) < 6 {
				continue
			}
			what := fmt.Sprintf("%s %q", v.kind, v.value)
			raw := []byte(v.value)
			add(what+" in clear", raw)
			if digits := onlyDigits(v.value); v.kind == "national id" && digits != v.value {
				add(what+" as digits", []byte(digits))
			}
			add(what+" as hex", []byte(hex.EncodeToString(raw)))
			add(what+" as HEX", []byte(strings.ToUpper(hex.EncodeToString(raw))))
			for _, b := range base64Fragments(raw) {
				add(what+" as base64", b)
			}
			sum := sha256.Sum256(raw)
			add(what+" as SHA-256", sum[:])
			add(what+" as SHA-256 hex", []byte(hex.EncodeToString(sum[:])))
			add(what+" as SHA-256 HEX", []byte(strings.ToUpper(hex.EncodeToString(sum[:]))))
			for _, b := range base64Fragments(sum[:]) {
				add(what+" as SHA-256 base64", b)
			}
		}
	}
	return out
}

// base64Fragments are the characters that encode raw in a longer base64 text,
// whatever its offset there, in the standard and URL alphabets.
func base64Fragments(raw []byte) [][]byte {
	var out [][]byte
	for shift := range 3 {
		padded := append(make([]byte, shift), raw...)
		// Only characters whose 6 bits all come from raw.
		from, to := (8*shift+5)/6, 8*(shift+len(raw))/6
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			s := enc.EncodeToString(padded)
			if to-from >= 8 {
				out = append(out, []byte(s[from:to]))
			}
		}
	}
	return out
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
