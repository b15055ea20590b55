package provider_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
)

// The hot paths of a login, each over real HTTP against a broker on SQLite with
// the test connector (an upstream that answers at once):
//
//	go test -bench . -run '^$' ./provider/
//
// The client's work (cookies, redirects) is in the numbers too; it is small beside
// the broker's.

// benchBroker is a broker for benchmarks, built like the tests' but for testing.TB.
type benchBroker struct {
	url      string
	keys     *keys.Manager
	userinfo string
	client   *http.Client
}

func startBenchBroker(tb testing.TB) *benchBroker {
	tb.Helper()
	dbPath := filepath.Join(tb.TempDir(), "portvakt.db")
	masterKey, err := keys.GenerateMasterKey()
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	issuer := "http://" + hs.Listener.Addr().String()
	cfg := &config.Config{
		Issuer: issuer, MasterKey: masterKey,
		Storage:    config.Storage{Driver: "sqlite", DSN: dbPath},
		Keys:       config.Keys{Algorithms: []string{"RS256", "ES256"}},
		Login:      config.Login{SessionLifetime: config.Duration(time.Hour)},
		Connectors: []config.Connector{{ID: "se-test", Type: "test"}},
		Clients:    benchClients(),
	}
	built := brokertest.NewProvider(tb, cfg, provider.Options{
		Now: time.Now, Audit: &memAudit{}, Consents: &memConsents{},
		Connectors: []connectors.Connector{&testConnector{id: "se-test", country: "SE", loa: connectors.LoASubstantial}},
	})
	hs.Config.Handler = built.Server.Handler()
	hs.Start()
	tb.Cleanup(hs.Close)

	// One transport for every simulated browser, as a load balancer would hold.
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	tb.Cleanup(tr.CloseIdleConnections)
	b := &benchBroker{url: issuer, keys: built.Keys, client: &http.Client{Transport: tr}}
	var d struct {
		Userinfo string `json:"userinfo_endpoint"`
	}
	resp, err := b.client.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || d.Userinfo == "" {
		tb.Fatalf("discovery: %v, userinfo %q", err, d.Userinfo)
	}
	b.userinfo = d.Userinfo
	return b
}

// benchClients are the relying parties of the benchmark broker: the same but for
// the ID token's algorithm.
func benchClients() []config.Client {
	return []config.Client{
		{ID: "bench-rs256", Name: "RS256 client", Secret: benchSecret, RedirectURIs: []string{rpRedirect}, Scopes: []string{"national_id"}},
		{ID: "bench-es256", Name: "ES256 client", Secret: benchSecret, RedirectURIs: []string{rpRedirect}, Scopes: []string{"national_id"}, IDTokenAlg: "ES256"},
	}
}

const benchSecret = "bench-secret-0123456789"

// benchLogin is one browser's login at the benchmark broker.
type benchLogin struct {
	b        *benchBroker
	clientID string
	browser  *http.Client
	state    string
	verifier string
}

func (b *benchBroker) newLogin() *benchLogin { return b.newLoginFor("bench-rs256") }

func (b *benchBroker) newLoginFor(clientID string) *benchLogin {
	return &benchLogin{
		b: b, clientID: clientID, state: randomString(), verifier: oauth2.GenerateVerifier(),
		browser: &http.Client{Transport: b.client.Transport, Jar: benchJar{}, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}
}

func (l *benchLogin) authorizeURL() string {
	return l.b.url + "/authorize?" + url.Values{
		"client_id": {l.clientID}, "response_type": {"code"}, "scope": {"openid profile national_id"},
		"redirect_uri": {rpRedirect}, "state": {l.state}, "nonce": {randomString()},
		"code_challenge": {s256(l.verifier)}, "code_challenge_method": {"S256"},
		"acr_values": {"urn:portvakt:eid:se:test"},
	}.Encode()
}

// hop makes one browser request and returns where it is sent next.
func (l *benchLogin) hop(tb testing.TB, u string) string {
	resp, err := l.browser.Get(u)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if !isRedirect(resp) {
		tb.Fatalf("GET %s: status %d, want a redirect", u, resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil {
		tb.Fatal(err)
	}
	return loc.String()
}

// followToClient follows redirects from u until the browser is sent to the client,
// and returns the code.
func (l *benchLogin) followToClient(tb testing.TB, u string) string {
	for range 10 {
		u = l.hop(tb, u)
		if strings.HasPrefix(u, rpRedirect) {
			got, _ := url.Parse(u)
			if got.Query().Get("code") == "" {
				tb.Fatalf("no code: %s", u)
			}
			return got.Query().Get("code")
		}
	}
	tb.Fatal("no redirect to the client")
	return ""
}

// untilCallback runs the login until the upstream's redirect back to the broker.
func (l *benchLogin) untilCallback(tb testing.TB) string {
	u := l.authorizeURL()
	for range 10 {
		u = l.hop(tb, u)
		if strings.Contains(u, "/callback/") {
			return u
		}
	}
	tb.Fatal("no upstream callback")
	return ""
}

// redeem posts the code to the token endpoint and returns the access token.
func (l *benchLogin) redeem(tb testing.TB, code string) string {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpRedirect}, "code_verifier": {l.verifier}}
	req, _ := http.NewRequest(http.MethodPost, l.b.url+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(l.clientID, benchSecret)
	resp, err := l.b.client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		IDToken     string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.IDToken == "" {
		tb.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func (l *benchLogin) complete(tb testing.TB) string {
	return l.redeem(tb, l.followToClient(tb, l.authorizeURL()))
}

// BenchmarkAuthorize is the authorization request, up to the redirect to the
// login page.
func BenchmarkAuthorize(b *testing.B) {
	br := startBenchBroker(b)
	b.ReportAllocs()
	for b.Loop() {
		l := br.newLogin()
		if to := l.hop(b, l.authorizeURL()); !strings.Contains(to, "/login/") {
			b.Fatalf("authorize sent the browser to %s", to)
		}
	}
}

// BenchmarkCallback is the upstream's redirect back, through to the code on its
// way to the client.
func BenchmarkCallback(b *testing.B) {
	br := startBenchBroker(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		l := br.newLogin()
		callback := l.untilCallback(b)
		b.StartTimer()
		l.followToClient(b, callback)
	}
}

// BenchmarkToken is the code's redemption.
func BenchmarkToken(b *testing.B) {
	br := startBenchBroker(b)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		l := br.newLogin()
		code := l.followToClient(b, l.authorizeURL())
		b.StartTimer()
		l.redeem(b, code)
	}
}

// BenchmarkIDTokenSigning signs an ID token's worth of claims the way the token
// endpoint does: the current key, a signer from it, a compact JWS.
func BenchmarkIDTokenSigning(b *testing.B) {
	br := startBenchBroker(b)
	ctx := context.Background()
	claims, _ := json.Marshal(map[string]any{
		"iss": br.url, "sub": "hV8yq3n0dC5Jw2oJmC0w1nZ3b0x5wq8Hc2k7uYQeJ1s", "aud": []string{"bench-rs256"},
		"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix(), "auth_time": time.Now().Unix(),
		"nonce": randomString(), "acr": "http://eidas.europa.eu/LoA/substantial", "amr": []string{"test"},
		"azp": "bench-rs256", "at_hash": "q0mB8QHb7vZk1yQ2cG1Y4g", "idp": "se-test", "idp_acr": "urn:test:substantial",
		"name": "Test Person", "given_name": "Test", "family_name": "Person", "birthdate": "1990-01-01",
		"national_id": "199001012389", "country": "SE",
	})
	for _, alg := range []string{"RS256", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				key, err := br.keys.SigningKey(ctx, alg)
				if err != nil {
					b.Fatal(err)
				}
				signer, err := op.SignerFromKey(key)
				if err != nil {
					b.Fatal(err)
				}
				jws, err := signer.Sign(claims)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := jws.CompactSerialize(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUserinfo answers userinfo for one access token, again and again.
func BenchmarkUserinfo(b *testing.B) {
	br := startBenchBroker(b)
	at := br.newLogin().complete(b)
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, br.userinfo, nil)
		req.Header.Set("Authorization", "Bearer "+at)
		resp, err := br.client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("userinfo: status %d", resp.StatusCode)
		}
	}
}

// BenchmarkFullFlow is a whole login: authorize, the login page, the upstream and
// its callback, the code, the token; for a client of each ID token algorithm.
func BenchmarkFullFlow(b *testing.B) {
	br := startBenchBroker(b)
	for _, client := range []string{"bench-rs256", "bench-es256"} {
		b.Run(strings.TrimPrefix(client, "bench-"), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				br.newLoginFor(client).complete(b)
			}
		})
	}
}

// BenchmarkFullFlowParallel is BenchmarkFullFlow with 16 logins per GOMAXPROCS
// running at once, as under load: it shows contention (the database's single
// writer, locks) that one login at a time does not.
func BenchmarkFullFlowParallel(b *testing.B) {
	br := startBenchBroker(b)
	b.ReportAllocs()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			br.newLogin().complete(b)
		}
	})
}

// benchJar is one browser's cookies, by name; the benchmark broker is one host.
type benchJar map[string]*http.Cookie

func (j benchJar) SetCookies(_ *url.URL, cookies []*http.Cookie) {
	for _, c := range cookies {
		if c.MaxAge < 0 {
			delete(j, c.Name)
			continue
		}
		j[c.Name] = &http.Cookie{Name: c.Name, Value: c.Value}
	}
}

func (j benchJar) Cookies(*url.URL) []*http.Cookie {
	out := make([]*http.Cookie, 0, len(j))
	for _, c := range j {
		out = append(out, c)
	}
	return out
}
