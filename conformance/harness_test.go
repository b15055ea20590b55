package conformance_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/brokertest"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
)

// The security tests need what dev mode does not have: a clock they can move, and
// clients of every authentication method, among them private_key_jwt with a JWKS.
// harness builds that broker from the provider's parts, with one eID that answers
// at once (instantConnector).

const (
	hRedirect     = "https://rp.example/callback"
	hBasicID      = "sec-basic"
	hBasicSecret  = "sec-basic-secret-0123456789"
	hPostID       = "sec-post"
	hPostSecret   = "sec-post-secret-0123456789"
	hEitherID     = "sec-either"
	hEitherSecret = "sec-either-secret-0123456789"
	hPublicID     = "sec-public"
	hPublicRedir  = "http://127.0.0.1:9/cb"
	hJWTID        = "sec-pkjwt"
	hJWTKeyID     = "sec-pkjwt-key"
	hInstantEID   = "se-instant"
	hInstantACR   = "urn:portvakt:eid:se:instant"
	hTestPersonID = "199001012389"
)

type harness struct {
	URL    string
	clock  *clock
	jwtKey *rsa.PrivateKey
}

// clock is real time plus an offset a test can advance.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func newHarness(t *testing.T) *harness {
	t.Helper()
	jwtKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	publicJWKS := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &jwtKey.PublicKey, KeyID: hJWTKeyID, Algorithm: "RS256", Use: "sig"}}}
	var jwksDoc map[string]any
	raw, _ := json.Marshal(publicJWKS)
	_ = json.Unmarshal(raw, &jwksDoc)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	dbPath := filepath.Join(t.TempDir(), "portvakt.db")
	masterKey, err := keys.GenerateMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{
		Issuer: issuer, MasterKey: masterKey,
		Storage: config.Storage{Driver: "sqlite", DSN: dbPath},
		Keys:    config.Keys{Algorithms: []string{"RS256"}},
		Login:   config.Login{SessionLifetime: config.Duration(time.Hour)},
		Clients: []config.Client{
			{ID: hBasicID, Name: "Basic", Secret: hBasicSecret, RedirectURIs: []string{hRedirect}},
			{ID: hPostID, Name: "Post", Secret: hPostSecret, AuthMethod: "client_secret_post", RedirectURIs: []string{hRedirect}},
			{ID: hEitherID, Name: "Basic or post", Secret: hEitherSecret, AuthMethods: []string{"client_secret_basic", "client_secret_post"}, RedirectURIs: []string{hRedirect}},
			{ID: hPublicID, Name: "Public", RedirectURIs: []string{hPublicRedir}},
			{ID: hJWTID, Name: "private_key_jwt", JWKS: jwksDoc, RedirectURIs: []string{hRedirect}},
		},
		// The connector is passed to provider.New; the config names it for validation.
		Connectors: []config.Connector{{ID: hInstantEID, Type: "test"}},
	}
	clk := &clock{}
	built := brokertest.NewProvider(t, cfg, provider.Options{
		Now: clk.now, Connectors: []connectors.Connector{instantConnector{}},
	})
	hs := httptest.NewUnstartedServer(built.Server.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	return &harness{URL: issuer, clock: clk, jwtKey: jwtKey}
}

// instantConnector is an eID that exists only in tests: Begin sends the browser
// straight back to the broker's callback and Finish names a synthetic person.
type instantConnector struct{}

var _ connectors.RedirectConnector = instantConnector{}

func (instantConnector) Info() connectors.Info {
	return connectors.Info{ID: hInstantEID, Countries: []string{"SE"}, Name: "Instant test eID", Methods: []connectors.Method{
		{ID: "", URN: hInstantACR, LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
	}}
}

func (instantConnector) Begin(_ context.Context, req connectors.Request) (string, []byte, error) {
	if req.MinLoA > connectors.LoASubstantial {
		return "", nil, connectors.ErrLoANotSupported
	}
	return req.CallbackURL + "?" + url.Values{"state": {req.ID}}.Encode(), []byte("ok"), nil
}

func (instantConnector) Finish(_ context.Context, state []byte, _ *http.Request) (connectors.Identity, error) {
	if string(state) != "ok" {
		return connectors.Identity{}, connectors.ErrInvalidResponse
	}
	return connectors.Identity{
		Country: "SE", NationalID: hTestPersonID, NationalIDType: connectors.IDTypeSEPersonnummer,
		GivenName: "Test", FamilyName: "Person", Name: "Test Person", Birthdate: "1990-01-01",
		LoA: connectors.LoASubstantial, AMR: []string{"test"},
	}, nil
}

// rpFor is the suite's relying party for one of the harness's clients.
func (h *harness) rpFor(t *testing.T, clientID, secret, authStyle string) *rp {
	t.Helper()
	r := newRP(t, &devEnv{issuer: h.URL}, "")
	r.clientID, r.secret, r.authStyle, r.redirectURI = clientID, secret, authStyle, hRedirect
	if clientID == hPublicID {
		r.redirectURI = hPublicRedir
	}
	return r
}

// request is an authorization request to the harness's instant eID.
func (r *rp) harnessRequest() *request {
	req := r.newRequest()
	req.params.Set("acr_values", hInstantACR)
	return req
}
