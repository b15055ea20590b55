package simcore_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/connectors/simcore/simtest"
)

const redirectURI = "https://client.example/cb"

// plainProfile is the smallest profile: no rules of its own.
type plainProfile struct{}

func (plainProfile) Rules() simcore.Rules {
	return simcore.Rules{Name: "Plain", ClientAuthMethods: []string{"client_secret_post"}}
}
func (plainProfile) CheckAuthorize(*simcore.AuthRequest) error             { return nil }
func (plainProfile) HintedUser(r *simcore.AuthRequest) string              { return r.LoginHint }
func (plainProfile) Level(*simcore.AuthRequest) string                     { return simcore.LevelHigh }
func (plainProfile) Subject(_ *simcore.AuthRequest, u simcore.User) string { return u.NationalID }
func (plainProfile) Claims(*simcore.AuthRequest, simcore.User, string) (map[string]any, map[string]any) {
	return map[string]any{}, map[string]any{}
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	srv   *httptest.Server
	sim   *simcore.Server
	clock *clock
}

func newFixture(t *testing.T, auto, stripPrefix bool) fixture {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	clk := &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s, err := simcore.New(simcore.Options{Issuer: srv.URL + "/sim/plain", AutoApprove: auto, Now: clk.Now}, plainProfile{},
		[]simcore.User{{NationalID: "A1", Name: "Test Person One"}, {NationalID: "B2", Name: "Test Person Two"}})
	if err != nil {
		t.Fatal(err)
	}
	if stripPrefix {
		mux.Handle("/sim/plain/", http.StripPrefix("/sim/plain", s.Handler()))
	} else {
		mux.Handle("/sim/plain/", s.Handler())
	}
	if err := s.RegisterClient(simcore.Client{ID: "c", Secret: "secret", RedirectURIs: []string{redirectURI}}); err != nil {
		t.Fatal(err)
	}
	return fixture{srv: srv, sim: s, clock: clk}
}

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize runs an authorize and returns the redirect back to the client.
func (f fixture) authorize(t *testing.T, extra url.Values, user, action string) *url.URL {
	t.Helper()
	q := url.Values{
		"client_id": {"c"}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"st"}, "nonce": {"n"}, "code_challenge": {challenge("verifier")}, "code_challenge_method": {"S256"},
	}
	for k, v := range extra {
		q[k] = v
	}
	cb, err := simtest.NewBrowser(nil).Login(context.Background(), f.sim.Issuer()+"/authorize?"+q.Encode(), user, action)
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

func (f fixture) redeem(t *testing.T, code, verifier string) (int, map[string]any) {
	t.Helper()
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
		"code_verifier": {verifier}, "client_id": {"c"}, "client_secret": {"secret"},
	}
	resp, err := http.PostForm(f.sim.Issuer()+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

func TestMountedWithAndWithoutStripPrefix(t *testing.T) {
	for _, strip := range []bool{false, true} {
		f := newFixture(t, true, strip)
		resp, err := http.Get(f.sim.Issuer() + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		var meta map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&meta)
		resp.Body.Close()
		if meta["issuer"] != f.sim.Issuer() || meta["token_endpoint"] != f.sim.Issuer()+"/token" {
			t.Errorf("strip=%v: metadata %v", strip, meta)
		}
		if cb := f.authorize(t, nil, "", simtest.Approve); !cb.Query().Has("code") {
			t.Errorf("strip=%v: no code in %s", strip, cb)
		}
	}
}

func TestPageChoosesUser(t *testing.T) {
	f := newFixture(t, false, false)
	cb := f.authorize(t, nil, "B2", simtest.Approve)
	if cb.Query().Get("state") != "st" || cb.Query().Get("iss") != f.sim.Issuer() {
		t.Fatalf("callback %s", cb)
	}
	status, body := f.redeem(t, cb.Query().Get("code"), "verifier")
	if status != http.StatusOK {
		t.Fatalf("token: %d %v", status, body)
	}
	parts := strings.Split(body["id_token"].(string), ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	if claims["sub"] != "B2" || claims["nonce"] != "n" || claims["aud"] != "c" {
		t.Fatalf("claims %v", claims)
	}
}

func TestTokenEndpoint(t *testing.T) {
	tests := []struct {
		name     string
		verifier string
		advance  time.Duration
		redeems  int
		want     int
	}{
		{"valid", "verifier", 0, 1, http.StatusOK},
		{"code used twice", "verifier", 0, 2, http.StatusBadRequest},
		{"wrong PKCE verifier", "other", 0, 1, http.StatusBadRequest},
		{"expired code", "verifier", 2 * time.Minute, 1, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, true, false)
			code := f.authorize(t, nil, "", simtest.Approve).Query().Get("code")
			f.clock.Add(tt.advance)
			var status int
			for range tt.redeems {
				status, _ = f.redeem(t, code, tt.verifier)
			}
			if status != tt.want {
				t.Fatalf("status %d, want %d", status, tt.want)
			}
		})
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	tests := []struct {
		name      string
		extra     url.Values
		wantError string
	}{
		{"plain PKCE", url.Values{"code_challenge_method": {"plain"}}, "invalid_request"},
		{"no openid scope", url.Values{"scope": {"profile"}}, "invalid_scope"},
		{"implicit flow", url.Values{"response_type": {"id_token"}}, "unsupported_response_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, true, false)
			cb := f.authorize(t, tt.extra, "", simtest.Approve)
			if cb.Query().Get("error") != tt.wantError {
				t.Fatalf("got %s, want error %s", cb, tt.wantError)
			}
		})
	}
	t.Run("unregistered redirect_uri gets no redirect", func(t *testing.T) {
		f := newFixture(t, true, false)
		q := url.Values{"client_id": {"c"}, "redirect_uri": {"https://evil.example/cb"}, "response_type": {"code"}, "scope": {"openid"}}
		_, err := simtest.NewBrowser(nil).Login(context.Background(), f.sim.Issuer()+"/authorize?"+q.Encode(), "", simtest.Approve)
		if se := (*simtest.StatusError)(nil); !errors.As(err, &se) || se.Status != http.StatusBadRequest {
			t.Fatalf("want a 400 page, got %v", err)
		}
	})
	t.Run("decide without the page's cookie", func(t *testing.T) {
		f := newFixture(t, false, false)
		resp, err := http.PostForm(f.sim.Issuer()+"/authorize/decide", url.Values{"txn": {"x"}, "csrf": {"y"}, "action": {"approve"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}
