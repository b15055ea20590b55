package fiftn_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/fiftn"
	"github.com/portvakt/portvakt/connectors/fiftn/sim"
	"github.com/portvakt/portvakt/connectors/oidcup"
	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/connectors/simcore/simtest"
	"github.com/portvakt/portvakt/internal/nationalid"
)

const callbackURL = "https://broker.example/connectors/fi-ftn/callback"

type env struct {
	sim  *sim.Sim
	conn *fiftn.Connector
}

// setup mounts the simulator under a path prefix of a test server and registers
// the connector's published keys with it, as an FTN broker is given them.
func setup(t *testing.T, autoApprove bool) env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := sim.New(sim.Options{Issuer: srv.URL + "/sim/fi-ftn", AutoApprove: autoApprove})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/sim/fi-ftn/", s.Handler())
	cfg := simConfig(s.Issuer())
	cfg.Timeout = oidcup.Duration(2 * time.Second)
	conn, err := cfg.Open(context.Background(), "fi-ftn", connectors.Deps{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*fiftn.Connector)
	jwks := c.PublicJWKS()
	if err := s.RegisterClient(simcore.Client{ID: simClientID, RedirectURIs: []string{callbackURL}, JWKS: &jwks}); err != nil {
		t.Fatal(err)
	}
	return env{sim: s, conn: c}
}

func (e env) login(t *testing.T, req connectors.Request, user, action string) (connectors.Identity, error) {
	t.Helper()
	return simtest.Login(t, e.conn, req, callbackURL, user, action)
}

func TestTestUsersHaveValidHETU(t *testing.T) {
	users := sim.TestUsers()
	if len(users) < 3 {
		t.Fatalf("want at least 3 test users, have %d", len(users))
	}
	for _, u := range users {
		if !nationalid.Valid(nationalid.FIHETU, u.NationalID) {
			t.Errorf("%s: %s is not a valid HETU", u.Name, u.NationalID)
		}
	}
}

func TestLogin(t *testing.T) {
	users := sim.TestUsers()
	tests := []struct {
		name          string
		auto          bool
		req           connectors.Request
		user          simcore.User
		wantLoA       connectors.LoA
		wantACR       string
		wantBirthdate string
	}{
		{"substantial on the page", false, connectors.Request{MinLoA: connectors.LoASubstantial}, users[1],
			connectors.LoASubstantial, fiftn.ACRLoA2, "2003-09-09"},
		{"high on the page", false, connectors.Request{MinLoA: connectors.LoAHigh}, users[0],
			connectors.LoAHigh, fiftn.ACRLoA3, "1980-02-15"},
		{"auto-approve, birth date from the HETU", true, connectors.Request{NationalID: users[2].NationalID}, users[2],
			connectors.LoASubstantial, fiftn.ACRLoA2, "1955-12-24"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.auto)
			id, err := e.login(t, tt.req, tt.user.NationalID, simtest.Approve)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			want := connectors.Identity{
				Connector: "fi-ftn", Country: "FI",
				NationalID: tt.user.NationalID, NationalIDType: connectors.IDTypeFIHETU,
				GivenName:  tt.user.Claims[sim.ClaimGivenNames].(string),
				FamilyName: tt.user.Claims[sim.ClaimSurname].(string),
				Name:       tt.user.Name, Birthdate: tt.wantBirthdate,
				LoA: tt.wantLoA, Method: "urn:portvakt:eid:fi:ftn", UpstreamACR: tt.wantACR,
			}
			got := id
			got.AMR, got.Evidence = nil, nil
			if !sameIdentity(got, want) {
				t.Errorf("identity\n got %+v\nwant %+v", got, want)
			}
			// The evidence is the inner, signed token: the connector decrypted it.
			var ev struct {
				IDToken string `json:"id_token"`
			}
			if err := json.Unmarshal(id.Evidence, &ev); err != nil || strings.Count(ev.IDToken, ".") != 2 {
				t.Errorf("evidence should hold the signed inner token, got %s", id.Evidence)
			}
		})
	}
}

func sameIdentity(a, b connectors.Identity) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestAuthorizeIsOnlyASignedRequestObject(t *testing.T) {
	e := setup(t, true)
	authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Query()) != 1 || u.Query().Get("request") == "" {
		t.Fatalf("want request= as the only parameter, got %v", u.Query())
	}
}

func TestRefusals(t *testing.T) {
	tests := []struct {
		name    string
		faults  simcore.Faults
		req     connectors.Request
		action  string
		wantErr error
	}{
		{"cancel", simcore.Faults{}, connectors.Request{}, simtest.Cancel, connectors.ErrCancelled},
		{"substantial returned when high asked", simcore.Faults{ReturnLevel: simcore.LevelSubstantial},
			connectors.Request{MinLoA: connectors.LoAHigh}, simtest.Approve, connectors.ErrLoANotSupported},
		{"tampered inner signature", simcore.Faults{TamperIDToken: true}, connectors.Request{}, simtest.Approve, connectors.ErrInvalidResponse},
		{"token endpoint 503", simcore.Faults{TokenStatus: http.StatusServiceUnavailable}, connectors.Request{}, simtest.Approve, connectors.ErrUpstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, false)
			e.sim.SetFaults(tt.faults)
			_, err := e.login(t, tt.req, "", tt.action)
			t.Log(err)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestWrongEncryptionKeyRefused(t *testing.T) {
	e := setup(t, true)
	// The broker registered an encryption key that is not the connector's.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks := e.conn.PublicJWKS()
	for i := range jwks.Keys {
		if jwks.Keys[i].Use == "enc" {
			jwks.Keys[i] = jose.JSONWebKey{Key: &other.PublicKey, KeyID: "other", Use: "enc", Algorithm: string(jose.RSA_OAEP)}
		}
	}
	if err := e.sim.RegisterClient(simcore.Client{ID: simClientID, RedirectURIs: []string{callbackURL}, JWKS: &jwks}); err != nil {
		t.Fatal(err)
	}
	_, err = e.login(t, connectors.Request{}, "", simtest.Approve)
	if !errors.Is(err, connectors.ErrInvalidResponse) {
		t.Fatalf("got %v, want ErrInvalidResponse", err)
	}
}

func TestSimulatorRefusals(t *testing.T) {
	e := setup(t, true)
	ctx := context.Background()

	t.Run("authorize without a request object", func(t *testing.T) {
		q := url.Values{
			"client_id": {simClientID}, "redirect_uri": {callbackURL}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"s"}, "acr_values": {fiftn.ACRLoA2}, "ftn_spname": {"x"},
		}
		cb, err := simtest.NewBrowser(nil).Login(ctx, e.sim.Issuer()+"/authorize?"+q.Encode(), "", simtest.Approve)
		if err != nil {
			t.Fatal(err)
		}
		if cb.Query().Get("error") != "invalid_request" || cb.Query().Has("code") {
			t.Fatalf("want invalid_request, got %s", cb)
		}
	})
	t.Run("client secret at the token endpoint", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.sim.Issuer()+"/token",
			strings.NewReader(url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {callbackURL}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(simClientID, "secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error string `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if resp.StatusCode != http.StatusUnauthorized || body.Error != "invalid_client" {
			t.Fatalf("want 401 invalid_client, got %d %q", resp.StatusCode, body.Error)
		}
	})
	t.Run("client without an encryption key", func(t *testing.T) {
		jwks := e.conn.PublicJWKS()
		var sigOnly jose.JSONWebKeySet
		for _, k := range jwks.Keys {
			if k.Use == "sig" {
				sigOnly.Keys = append(sigOnly.Keys, k)
			}
		}
		if err := e.sim.RegisterClient(simcore.Client{ID: "no-enc", RedirectURIs: []string{callbackURL}, JWKS: &sigOnly}); err == nil {
			t.Fatal("registered a client without an encryption key")
		}
	})
}

func TestConfigRefusesClientSecret(t *testing.T) {
	cfg := simConfig("https://ftn.example")
	cfg.ClientAuth = oidcup.AuthClientSecretBasic
	cfg.ClientSecret = "s"
	if _, err := cfg.Open(context.Background(), "", connectors.Deps{}); err == nil {
		t.Fatal("opened with client_secret_basic")
	}
	cfg = simConfig("https://ftn.example")
	cfg.GenerateKeys = false
	if _, err := cfg.Open(context.Background(), "", connectors.Deps{}); err == nil {
		t.Fatal("opened without keys")
	}
}

func TestSlowUpstream(t *testing.T) {
	e := setup(t, true)
	cfg := simConfig(e.sim.Issuer())
	cfg.Timeout = oidcup.Duration(100 * time.Millisecond)
	conn, err := cfg.Open(context.Background(), "", connectors.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*fiftn.Connector)
	jwks := c.PublicJWKS()
	if err := e.sim.RegisterClient(simcore.Client{ID: simClientID, RedirectURIs: []string{callbackURL}, JWKS: &jwks}); err != nil {
		t.Fatal(err)
	}
	e.sim.SetFaults(simcore.Faults{TokenHang: true})
	_, err = env{sim: e.sim, conn: c}.login(t, connectors.Request{}, "", simtest.Approve)
	if !errors.Is(err, connectors.ErrUpstream) {
		t.Fatalf("got %v, want ErrUpstream", err)
	}
}

// TestBankChoice picks each bank on the simulator's page: the login reports
// the bank in amr as the method URI Telia sends (…/oidc.<bank>.1); no pick
// means the preselected first bank.
func TestBankChoice(t *testing.T) {
	e := setup(t, false)
	banks := []string{""}
	for _, b := range sim.Banks() {
		banks = append(banks, b.ID)
	}
	for _, bank := range banks {
		t.Run("bank="+bank, func(t *testing.T) {
			ctx := context.Background()
			authURL, state, err := e.conn.Begin(ctx, connectors.Request{CallbackURL: callbackURL})
			if err != nil {
				t.Fatal(err)
			}
			browser := simtest.NewBrowser(nil)
			browser.Bank = bank
			cb, err := browser.Login(ctx, authURL, "", simtest.Approve)
			if err != nil {
				t.Fatal(err)
			}
			id, err := e.conn.Finish(ctx, state, httptest.NewRequest(http.MethodGet, cb.String(), nil))
			if err != nil {
				t.Fatal(err)
			}
			want := "/saml2/names/ac/oidc." + cmp.Or(bank, sim.Banks()[0].ID) + ".1"
			if len(id.AMR) != 1 || !strings.HasSuffix(id.AMR[0], want) {
				t.Errorf("amr = %v, want the method URI ending %s", id.AMR, want)
			}
		})
	}
}
