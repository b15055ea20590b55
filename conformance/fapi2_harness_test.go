package conformance_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
)

// The FAPI 2.0 plan runs against a broker of its own: a clock it can move, and
// two FAPI 2.0 clients (private_key_jwt with an ES256 key; the first also has
// an RSA key, to show RS256 is refused).
const (
	fapiID      = "fapi-one"
	fapiOtherID = "fapi-two"
)

type fapiHarness struct {
	URL      string
	clock    *clock
	key      *ecdsa.PrivateKey
	rsaKey   *rsa.PrivateKey
	otherKey *ecdsa.PrivateKey
	// dpop is fapi-one's DPoP key: FAPI 2.0 clients' tokens are DPoP-bound.
	dpop *dpopKey
	rp   *rp
}

func jwksDocument(t *testing.T, keys ...jose.JSONWebKey) map[string]any {
	t.Helper()
	var doc map[string]any
	raw, _ := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func newFAPIHarness(t *testing.T) *fapiHarness {
	t.Helper()
	h := &fapiHarness{clock: &clock{}, dpop: newDPoPKey(t)}
	var err error
	if h.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if h.otherKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if h.rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + ln.Addr().String()
	masterKey, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	fapiClient := func(id string, jwks map[string]any) config.Client {
		return config.Client{ID: id, Name: id, Profile: config.ProfileFAPI2, AuthMethod: "private_key_jwt", JWKS: jwks,
			IDTokenAlg: "ES256", RedirectURIs: []string{hRedirect}}
	}
	cfg := &config.Config{
		Issuer: h.URL, MasterKey: masterKey,
		Storage: config.Storage{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "portvakt.db")},
		Keys:    config.Keys{Algorithms: []string{"RS256", "ES256", "PS256"}},
		Login:   config.Login{SessionLifetime: config.Duration(time.Hour)},
		// Longer than FAPI 2.0 allows its clients: their codes must still live 60 s.
		Tokens: config.Tokens{Code: config.Duration(5 * time.Minute)},
		Clients: []config.Client{
			fapiClient(fapiID, jwksDocument(t,
				jose.JSONWebKey{Key: &h.key.PublicKey, KeyID: "es", Algorithm: "ES256", Use: "sig"},
				jose.JSONWebKey{Key: &h.rsaKey.PublicKey, KeyID: "rs", Algorithm: "RS256", Use: "sig"})),
			fapiClient(fapiOtherID, jwksDocument(t, jose.JSONWebKey{Key: &h.otherKey.PublicKey, KeyID: "es2", Algorithm: "ES256", Use: "sig"})),
		},
		Connectors: []config.Connector{{ID: hInstantEID, Type: "test"}},
	}
	built := brokertest.NewProvider(t, cfg, provider.Options{Now: h.clock.now, Connectors: []connectors.Connector{instantConnector{}}})
	hs := httptest.NewUnstartedServer(built.Server.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	h.rp = newRP(t, &devEnv{issuer: h.URL}, "")
	h.rp.clientID, h.rp.secret, h.rp.authStyle, h.rp.redirectURI = fapiID, "", "private_key_jwt", hRedirect
	return h
}

// signJWT signs claims with key under alg and kid, with typ when given.
func signJWT(t *testing.T, alg jose.SignatureAlgorithm, key any, kid, typ string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader("kid", kid)
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := obj.CompactSerialize()
	return s
}

// assertionClaims are a client assertion's claims as oauth4webapi writes them.
func (h *fapiHarness) assertionClaims(client string) map[string]any {
	now := time.Now()
	return map[string]any{"iss": client, "sub": client, "aud": h.URL, "jti": randomString(),
		"iat": now.Unix(), "exp": h.clock.now().Add(time.Minute).Unix()}
}

// auth is client authentication of fapi-one by an ES256 assertion; change edits its claims.
func (h *fapiHarness) auth(t *testing.T, change func(map[string]any)) url.Values {
	t.Helper()
	claims := h.assertionClaims(fapiID)
	if change != nil {
		change(claims)
	}
	return assertionForm(signJWT(t, jose.ES256, h.key, "es", "", claims))
}

func assertionForm(assertion string) url.Values {
	return url.Values{"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, "client_assertion": {assertion}}
}

// request is a FAPI authorization request of fapi-one.
func (h *fapiHarness) request() *request {
	req := h.rp.newRequest()
	req.params.Set("acr_values", hInstantACR)
	return req
}

// post posts form to path and returns the answer.
func (h *fapiHarness) post(t *testing.T, path string, form url.Values) tokenResponse {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return doToken(t, req)
}

func joinForms(forms ...url.Values) url.Values {
	out := url.Values{}
	for _, f := range forms {
		for k, v := range f {
			out[k] = v
		}
	}
	return out
}

// push sends req's parameters to the PAR endpoint as fapi-one.
func (h *fapiHarness) push(t *testing.T, params url.Values) tokenResponse {
	t.Helper()
	return h.post(t, "/oauth/par", joinForms(h.auth(t, nil), params))
}

// pushed pushes req and returns its request_uri, failing unless the push succeeded.
func (h *fapiHarness) pushed(t *testing.T, req *request) string {
	t.Helper()
	tr := h.push(t, req.params)
	if tr.Status != http.StatusCreated || tr.str("request_uri") == "" {
		t.Fatalf("PAR: status %d %s; want 201 with a request_uri", tr.Status, tr.Raw)
	}
	return tr.str("request_uri")
}

// authorizeURI runs /authorize with only client_id and request_uri.
func (h *fapiHarness) authorizeURI(t *testing.T, b *browser, uri string) authzResponse {
	t.Helper()
	return b.authorize(h.rp, http.MethodGet, url.Values{"client_id": {fapiID}, "request_uri": {uri}})
}

// code runs req through PAR and /authorize and returns the code.
func (h *fapiHarness) code(t *testing.T, req *request) string {
	t.Helper()
	return h.rp.expectCode(t, h.authorizeURI(t, newBrowser(t), h.pushed(t, req)), req.state)
}

// redeem trades code as fapi-one with the form's changes, with a DPoP proof
// of fapi-one's key.
func (h *fapiHarness) redeem(t *testing.T, code, verifier string, auth url.Values) tokenResponse {
	t.Helper()
	return h.redeemProof(t, code, verifier, auth, h.proof(t, h.dpop, http.MethodPost, "/oauth/token", ""))
}

// verifyIDToken checks an ES256 ID token of fapi-one.
func (h *fapiHarness) verifyIDToken(t *testing.T, raw, nonce string) map[string]any {
	t.Helper()
	idt, err := h.rp.provider.Verifier(&oidc.Config{ClientID: fapiID, SupportedSigningAlgs: []string{"ES256"}}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	var claims map[string]any
	_ = idt.Claims(&claims)
	return claims
}
