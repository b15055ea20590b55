package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
)

// fuzzIssuer is the fuzz broker's issuer. Requests go to its handler directly, so
// nothing listens there.
const fuzzIssuer = "http://127.0.0.1:1"

// fuzzJWTClient is a private_key_jwt client the fuzz broker adds to testClients.
const fuzzJWTClient = "fuzz-pkjwt"

// fuzzBroker is one broker per fuzz target, built before f.Fuzz and shared by
// every iteration: its handler is called in-process, without a listener.
type fuzzBroker struct {
	h      http.Handler
	jwtKey *rsa.PrivateKey
}

func newFuzzBroker(tb testing.TB) *fuzzBroker {
	tb.Helper()
	jwtKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	var jwks map[string]any
	raw, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &jwtKey.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	_ = json.Unmarshal(raw, &jwks)
	masterKey, err := keys.GenerateMasterKey()
	if err != nil {
		tb.Fatal(err)
	}
	dbPath := filepath.Join(tb.TempDir(), "portvakt.db")
	cfg := &config.Config{
		Issuer: fuzzIssuer, MasterKey: masterKey,
		Storage: config.Storage{Driver: "sqlite", DSN: dbPath},
		Keys:    config.Keys{Algorithms: []string{"RS256"}},
		Login:   config.Login{SessionLifetime: config.Duration(time.Hour)},
		Clients: append(fuzzClients(), config.Client{ID: fuzzJWTClient, Name: "JWT", JWKS: jwks, RedirectURIs: []string{rpRedirect}}),
		// The connector is passed in below; the config names it for validation.
		Connectors: []config.Connector{{ID: "se-test", Type: "test"}},
	}
	built := brokertest.NewProvider(tb, cfg, provider.Options{
		Connectors: []connectors.Connector{&testConnector{id: "se-test", country: "SE", loa: connectors.LoASubstantial}},
	})
	return &fuzzBroker{h: built.Server.Handler(), jwtKey: jwtKey}
}

// serve runs one request through the broker and fails on a 5xx: every bad input
// must get a clear error, never a server error.
func (fb *fuzzBroker) serve(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	fb.h.ServeHTTP(rec, req)
	resp := rec.Result()
	if resp.StatusCode >= 500 {
		t.Fatalf("%s %s: status %d: %.300s", req.Method, req.URL, resp.StatusCode, rec.Body.String())
	}
	return resp
}

// code runs a login in-process, carrying cookies between hops, and returns the
// code the client receives (to seed the token endpoint with a real one).
func (fb *fuzzBroker) code(tb testing.TB, q url.Values) string {
	tb.Helper()
	var cookies []*http.Cookie
	target := "/authorize?" + q.Encode()
	for hop := 0; hop < 10; hop++ {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		fb.h.ServeHTTP(rec, req)
		cookies = append(cookies, rec.Result().Cookies()...)
		loc := rec.Header().Get("Location")
		if strings.HasPrefix(loc, rpRedirect) {
			u, _ := url.Parse(loc)
			return u.Query().Get("code")
		}
		if loc == "" {
			tb.Fatalf("login stopped at %s: status %d", target, rec.Code)
		}
		target = strings.TrimPrefix(loc, fuzzIssuer)
	}
	tb.Fatal("no code after 10 hops")
	return ""
}

// signAssertion signs claims as the fuzz JWT client.
func (fb *fuzzBroker) signAssertion(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: fb.jwtKey}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		tb.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		tb.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

// fuzzClients are the fuzz broker's secret and public clients.
func fuzzClients() []config.Client {
	return []config.Client{
		{ID: "rp1", Name: "RP One", Secret: "rp1-secret-0123456789", RedirectURIs: []string{rpRedirect}, Scopes: []string{"national_id"}},
		{ID: "rp2", Name: "RP Two", Secret: "rp2-secret-0123456789", RedirectURIs: []string{rpRedirect}, AuthMethod: "client_secret_post"},
		{ID: "public", Name: "Public SPA", RedirectURIs: []string{"http://127.0.0.1:9999/cb"}},
	}
}

// registeredRedirects are the redirect URIs of the fuzz broker's clients.
func registeredRedirects() []string {
	var out []string
	for _, c := range fuzzClients() {
		out = append(out, c.RedirectURIs...)
	}
	return out
}

// checkAuthorizeRedirect fails unless a redirect from /authorize goes to the
// broker's own login page or to a registered redirect URI with iss: anything else
// is an open redirect.
func checkAuthorizeRedirect(t *testing.T, resp *http.Response) {
	t.Helper()
	loc := resp.Header.Get("Location")
	if loc == "" {
		return
	}
	if strings.HasPrefix(loc, "/login/") {
		return
	}
	for _, r := range registeredRedirects() {
		if strings.HasPrefix(loc, r+"?") {
			u, err := url.Parse(loc)
			if err != nil || u.Query().Get("iss") != fuzzIssuer {
				t.Fatalf("authorization response without iss: %s", loc)
			}
			return
		}
	}
	t.Fatalf("/authorize redirected to %q, neither the login page nor a registered redirect_uri", loc)
}
