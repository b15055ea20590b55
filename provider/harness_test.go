package provider_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// testConnector is a redirect connector that exists only in tests: Begin sends the
// browser straight back to the broker's callback, and Finish reports the person
// named in the request (login_hint) or a default one. It proves the whole broker
// path without any eID.
type testConnector struct {
	id, country string
	loa         connectors.LoA
	// encryptedOnly: its identities may reach clients only in encrypted ID
	// tokens, as the Finnish Trust Network's.
	encryptedOnly bool
}

var _ connectors.RedirectConnector = (*testConnector)(nil)

func (c *testConnector) Info() connectors.Info {
	return connectors.Info{ID: c.id, Countries: []string{c.country}, Name: "Test eID " + c.country, Methods: []connectors.Method{
		{ID: "", URN: provider.ConnectorURN(c.id), LoA: c.loa, MinLoA: c.loa},
	}, EncryptedTokensOnly: c.encryptedOnly}
}

func (c *testConnector) Begin(_ context.Context, req connectors.Request) (string, []byte, error) {
	if req.MinLoA > c.loa {
		return "", nil, connectors.ErrLoANotSupported
	}
	person := req.NationalID
	if person == "" {
		person = "199001012389"
	}
	q := url.Values{"state": {req.ID}, "person": {person}}
	return req.CallbackURL + "?" + q.Encode(), []byte(person), nil
}

func (c *testConnector) Finish(_ context.Context, state []byte, r *http.Request) (connectors.Identity, error) {
	if r.FormValue("error") == "access_denied" {
		return connectors.Identity{}, connectors.ErrCancelled
	}
	if r.FormValue("person") != string(state) {
		return connectors.Identity{}, connectors.ErrInvalidResponse
	}
	return connectors.Identity{
		Country: c.country, NationalID: string(state), NationalIDType: connectors.IDTypeSEPersonnummer,
		GivenName: "Test", FamilyName: "Person", Name: "Test Person", Birthdate: "1990-01-01",
		LoA: c.loa, UpstreamACR: "urn:test:" + c.loa.String(), AMR: []string{"test"},
	}, nil
}

// broker is a running broker for tests.
type broker struct {
	clock    *clock
	URL      string
	srv      *httptest.Server
	audit    *memAudit
	consents *memConsents
	orders   *testOrders
	store    *sqlstore.Store
	server   *provider.Server
	keys     *keys.Manager
	logs     *testenv.SyncBuffer
}

const (
	rpRedirect = "https://rp.example/callback"
	rpLogout   = "https://rp.example/logged-out"
	rp2Home    = "https://rp2.example/start"
)

// testClients are the relying parties every test broker has.
func testClients() []config.Client {
	return []config.Client{
		{ID: "rp1", Name: "RP One", Secret: "rp1-secret-0123456789", RedirectURIs: []string{rpRedirect},
			PostLogoutRedirectURIs: []string{rpLogout}, Scopes: []string{"national_id"}},
		{ID: "rp2", Name: "RP Two", Secret: "rp2-secret-0123456789", RedirectURIs: []string{rpRedirect}, ClientURI: rp2Home},
		{ID: "public", Name: "Public SPA", RedirectURIs: []string{"http://127.0.0.1:9999/cb"}},
		{ID: "se-only", Name: "Swedish only", Secret: "se-only-secret-0123", RedirectURIs: []string{rpRedirect}, EIDs: []string{"se-test"}},
		{ID: "es256", Name: "ES256 client", Secret: "es256-secret-012345", RedirectURIs: []string{rpRedirect}, IDTokenAlg: "ES256"},
		{ID: "asks", Name: "Asks consent", Secret: "asks-secret-0123456", RedirectURIs: []string{rpRedirect}, Consent: true,
			Purpose: "To open your account.", Scopes: []string{"national_id"}},
		{ID: "tool", Name: "Admin tool", Secret: "tool-secret-0123456", GrantTypes: []string{"client_credentials"}, Roles: []string{"admin"}},
		{ID: "api", Name: "API client", Secret: "api-secret-01234567", GrantTypes: []string{"client_credentials"}},
		{ID: "orders-api", Name: "rp1's API", Secret: "orders-api-secret-0123", GrantTypes: []string{"client_credentials"},
			ResourceServer: &config.ResourceServer{Audiences: []string{"rp1"}}},
		{ID: "kyc-api", Name: "rp1's KYC API", Secret: "kyc-api-secret-012345", GrantTypes: []string{"client_credentials"},
			Scopes: []string{"national_id"}, ResourceServer: &config.ResourceServer{Audiences: []string{"rp1"}}},
		{ID: "rp2-api", Name: "rp2's API", Secret: "rp2-api-secret-012345", GrantTypes: []string{"client_credentials"},
			ResourceServer: &config.ResourceServer{Audiences: []string{"rp2"}}},
		{ID: "styled", Name: "Styled", Secret: "styled-secret-01234", RedirectURIs: []string{rpRedirect},
			Theme: config.Theme{PrimaryColor: "#0b5394", CustomCSS: ".pv-card { border-radius: 0; }"}},
	}
}

// newBroker starts a broker on SQLite in a temp dir with two test connectors.
func newBroker(t *testing.T, opts ...brokerOption) *broker {
	t.Helper()
	dir := t.TempDir()
	return startBroker(t, filepath.Join(dir, "portvakt.db"), testMasterKey(t), opts...)
}

func testMasterKey(t *testing.T) string {
	k, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// brokerOption changes a test broker's configuration or adds connectors to it.
type brokerOption func(cfg *config.Config, extra *[]connectors.Connector)

func startBroker(t *testing.T, dbPath, masterKey string, opts ...brokerOption) *broker {
	t.Helper()
	return startBrokerWith(t, dbPath, masterKey, nil, opts...)
}

// startBrokerWith is startBroker with setup changing the provider's options
// (the evidence service of signatures) before the provider is built.
func startBrokerWith(t *testing.T, dbPath, masterKey string, setup func(*provider.Options), opts ...brokerOption) *broker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	cfg := &config.Config{
		Issuer: issuer, MasterKey: masterKey,
		Storage: config.Storage{Driver: "sqlite", DSN: dbPath},
		Keys:    config.Keys{Algorithms: []string{"RS256", "ES256"}},
		Login:   config.Login{SessionLifetime: config.Duration(time.Hour)},
		Clients: testClients(),
		// The connectors are passed in below; the config names them for validation.
		Connectors: []config.Connector{{ID: "se-test", Type: "test"}, {ID: "fi-test", Type: "test"}, {ID: "se-order", Type: "test"}},
	}
	clk := &clock{}
	audit, consents := &memAudit{}, &memConsents{}
	orders := &testOrders{polls: map[string]int{}, script: map[string][]connectors.Progress{}}
	conns := []connectors.Connector{
		&testConnector{id: "se-test", country: "SE", loa: connectors.LoASubstantial},
		&testConnector{id: "fi-test", country: "FI", loa: connectors.LoAHigh},
		orders,
	}
	for _, o := range opts {
		o(cfg, &conns)
	}
	logs := &testenv.SyncBuffer{}
	po := provider.Options{
		Now: clk.now, Audit: audit, Consents: consents, Connectors: conns, Logger: slog.New(slog.NewTextHandler(logs, nil)),
	}
	if setup != nil {
		setup(&po)
	}
	built := brokertest.NewProvider(t, cfg, po)
	hs := httptest.NewUnstartedServer(built.Server.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return &broker{clock: clk, audit: audit, consents: consents, orders: orders, URL: issuer, srv: hs, store: built.Store, server: built.Server, keys: built.Keys, logs: logs}
}

// postForm posts form to path on the broker, with client_secret_basic unless
// client is empty, and returns the status and the body.
func (b *broker) postForm(t *testing.T, path, client, secret string, form url.Values) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if client != "" {
		req.SetBasicAuth(client, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// browser is an HTTP client with cookies that stops at the relying party.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), "http://127.0.0.1") || strings.HasPrefix(req.URL.String(), "http://127.0.0.1:9999") {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// authorize runs an authorization request in the browser until the broker sends it
// to the relying party, and returns that redirect.
func (b *broker) authorize(t *testing.T, c *http.Client, q url.Values) *url.URL {
	t.Helper()
	resp, err := c.Get(b.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: status %d, want a redirect to the client; body: %.300s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// rp is a relying party using coreos/go-oidc, as an integrator would.
type rp struct {
	cfg      oauth2.Config
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func newRP(t *testing.T, b *broker, clientID, secret string) *rp {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), b.URL)
	if err != nil {
		t.Fatal(err)
	}
	return &rp{
		cfg:      oauth2.Config{ClientID: clientID, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: rpRedirect, Scopes: []string{"openid", "profile", "national_id"}},
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: clientID, SupportedSigningAlgs: []string{"RS256", "ES256"}}),
	}
}

type loginResult struct {
	token    *oauth2.Token
	idToken  *oidc.IDToken
	claims   map[string]any
	code     string
	verifier string
}

// login runs a whole code flow with PKCE and returns the verified ID token.
func (r *rp) login(t *testing.T, b *broker, c *http.Client, extra url.Values) loginResult {
	t.Helper()
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	authURL, _ := url.Parse(r.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)))
	q := authURL.Query()
	for k, v := range extra {
		q[k] = v
	}
	loc := b.authorize(t, c, q)
	got := loc.Query()
	if got.Get("error") != "" {
		t.Fatalf("login failed: %s: %s", got.Get("error"), got.Get("error_description"))
	}
	if got.Get("state") != state || got.Get("iss") != b.URL {
		t.Fatalf("response state %q iss %q, want %q %q", got.Get("state"), got.Get("iss"), state, b.URL)
	}
	tok, idt := r.redeem(t, got.Get("code"), oauth2.VerifierOption(verifier))
	if idt.Nonce != nonce {
		t.Fatalf("nonce %q, want %q", idt.Nonce, nonce)
	}
	res := loginResult{token: tok, idToken: idt, code: got.Get("code"), verifier: verifier}
	if err := idt.Claims(&res.claims); err != nil {
		t.Fatal(err)
	}
	return res
}

// redeem exchanges a code and verifies the ID token it brings.
func (r *rp) redeem(t *testing.T, code string, opts ...oauth2.AuthCodeOption) (*oauth2.Token, *oidc.IDToken) {
	t.Helper()
	tok, err := r.cfg.Exchange(context.Background(), code, opts...)
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := r.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	return tok, idt
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func isRedirect(resp *http.Response) bool {
	return resp.StatusCode >= 300 && resp.StatusCode < 400
}

func tokenFromJSON(t *testing.T, body string) *oauth2.Token {
	t.Helper()
	var v struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatal(err)
	}
	return &oauth2.Token{AccessToken: v.AccessToken, TokenType: v.TokenType}
}

func staticToken(at string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: at, TokenType: "Bearer"})
}

// clock is the broker's time: real time plus an offset tests can advance.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func (r loginResult) authTime() time.Time {
	v, _ := r.claims["auth_time"].(float64)
	return time.Unix(int64(v), 0)
}

// memAudit and memConsents stand in for the audit trail and consent store.
type memAudit struct {
	mu     sync.Mutex
	events []provider.LoginEvent
	// fetches are the evidence fetches recorded.
	fetches []provider.EvidenceFetchEvent
	// refuse, when set, is the error every record gets (a trail that cannot
	// be written).
	refuse error
}

func (m *memAudit) RecordLogin(_ context.Context, e provider.LoginEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return m.refuse
	}
	m.events = append(m.events, e)
	return nil
}

func (m *memAudit) refuseRecords(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refuse = err
}

func (m *memAudit) all() []provider.LoginEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]provider.LoginEvent(nil), m.events...)
}

type memConsents struct {
	mu        sync.Mutex
	decisions []provider.ConsentDecision
}

func (m *memConsents) Remembered(_ context.Context, clientID, subject string, claims []string, since time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range m.decisions {
		if d.ClientID == clientID && d.Subject == subject && d.Granted && d.Remember && !d.Time.Before(since) {
			return true, nil
		}
	}
	return false, nil
}

func (m *memConsents) Record(_ context.Context, d provider.ConsentDecision) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.decisions = append(m.decisions, d)
	return nil
}
