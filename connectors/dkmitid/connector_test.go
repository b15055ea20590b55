package dkmitid_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/dkmitid"
	"github.com/portvakt/portvakt/connectors/dkmitid/sim"
	"github.com/portvakt/portvakt/connectors/oidcup"
	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/connectors/simcore/simtest"
	"github.com/portvakt/portvakt/internal/nationalid"
)

const callbackURL = "https://broker.example/connectors/dk-mitid/callback"

type env struct {
	sim  *sim.Sim
	conn *dkmitid.Connector
}

type setupOptions struct {
	auto       bool
	loaSegment bool
	keyJWT     bool
	timeout    time.Duration
}

func setup(t *testing.T, o setupOptions) env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := sim.New(sim.Options{Issuer: srv.URL + "/sim/dk-mitid", AutoApprove: o.auto, LoASegment: o.loaSegment})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/sim/dk-mitid/", s.Handler())
	cfg := simConfig(s.Issuer())
	cfg.Timeout = oidcup.Duration(2 * time.Second)
	if o.timeout != 0 {
		cfg.Timeout = oidcup.Duration(o.timeout)
	}
	if o.keyJWT {
		cfg.ClientAuth, cfg.ClientSecret, cfg.GenerateKeys = oidcup.AuthPrivateKeyJWT, "", true
	}
	conn, err := cfg.Open(context.Background(), "dk-mitid", connectors.Deps{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	c := conn.(*dkmitid.Connector)
	client := simcore.Client{ID: simClientID, Secret: simClientSecret, RedirectURIs: []string{callbackURL}}
	if o.keyJWT {
		jwks := c.PublicJWKS()
		client.Secret, client.JWKS = "", &jwks
	}
	if err := s.RegisterClient(client); err != nil {
		t.Fatal(err)
	}
	return env{sim: s, conn: c}
}

func (e env) login(t *testing.T, req connectors.Request, user, action string) (connectors.Identity, error) {
	t.Helper()
	return simtest.Login(t, e.conn, req, callbackURL, user, action)
}

func TestTestUsersHaveValidCPR(t *testing.T) {
	users := sim.TestUsers()
	if len(users) < 3 {
		t.Fatalf("want at least 3 test users, have %d", len(users))
	}
	for _, u := range users {
		if !nationalid.Valid(nationalid.DKCPR, u.NationalID) {
			t.Errorf("%s: %s is not a valid CPR number", u.Name, u.NationalID)
		}
	}
}

func TestLogin(t *testing.T) {
	users := sim.TestUsers()
	tests := []struct {
		name    string
		setup   setupOptions
		req     connectors.Request
		user    simcore.User
		wantLoA connectors.LoA
		wantACR string
		wantURN string
	}{
		{"substantial on the page", setupOptions{}, connectors.Request{}, users[1],
			connectors.LoASubstantial, dkmitid.NSISSubstantial, "urn:portvakt:eid:dk:mitid"},
		{"high, /loa/ spelling", setupOptions{loaSegment: true}, connectors.Request{MinLoA: connectors.LoAHigh}, users[0],
			connectors.LoAHigh, "https://data.gov.dk/concept/core/nsis/loa/High", "urn:portvakt:eid:dk:mitid:high"},
		{"auto-approve by cpr_hint, private_key_jwt", setupOptions{auto: true, keyJWT: true}, connectors.Request{NationalID: users[2].NationalID}, users[2],
			connectors.LoASubstantial, dkmitid.NSISSubstantial, "urn:portvakt:eid:dk:mitid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.setup)
			id, err := e.login(t, tt.req, tt.user.NationalID, simtest.Approve)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			want := connectors.Identity{
				Connector: "dk-mitid", Country: "DK",
				NationalID: tt.user.NationalID, NationalIDType: connectors.IDTypeDKCPR,
				Name: tt.user.Name, Birthdate: tt.user.Claims[sim.ClaimDateOfBirth].(string),
				LoA: tt.wantLoA, Method: tt.wantURN, UpstreamACR: tt.wantACR,
				AMR:      []string{"mitid.code_app"},
				StableID: tt.user.Claims[sim.ClaimUUID].(string),
			}
			got := id
			got.Evidence = nil
			ja, _ := json.Marshal(got)
			jb, _ := json.Marshal(want)
			if string(ja) != string(jb) {
				t.Errorf("identity\n got %s\nwant %s", ja, jb)
			}
		})
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
		{"low returned", simcore.Faults{ReturnLevel: simcore.LevelLow},
			connectors.Request{}, simtest.Approve, connectors.ErrLoANotSupported},
		{"tampered id token", simcore.Faults{TamperIDToken: true}, connectors.Request{}, simtest.Approve, connectors.ErrInvalidResponse},
		{"token endpoint 502", simcore.Faults{TokenStatus: http.StatusBadGateway}, connectors.Request{}, simtest.Approve, connectors.ErrUpstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, setupOptions{})
			e.sim.SetFaults(tt.faults)
			_, err := e.login(t, tt.req, "", tt.action)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestLevelAskedFollowsTheRequest(t *testing.T) {
	e := setup(t, setupOptions{})
	for min, want := range map[connectors.LoA]string{connectors.LoANone: "substantial", connectors.LoASubstantial: "substantial", connectors.LoAHigh: "high"} {
		authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{MinLoA: min, CallbackURL: callbackURL})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(authURL)
		if got := u.Query().Get("idp_params"); !strings.Contains(got, `"loa_value":"`+want+`"`) {
			t.Errorf("MinLoA %v: idp_params %s, want loa_value %s", min, got, want)
		}
	}
}

func TestIDPParams(t *testing.T) {
	e := setup(t, setupOptions{})
	long := strings.Repeat("å", 200)
	authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{
		MinLoA: connectors.LoAHigh, ClientName: long, CallbackURL: callbackURL,
	})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	if q.Get("idp_values") != "mitid" || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("idp_values %q, code_challenge_method %q", q.Get("idp_values"), q.Get("code_challenge_method"))
	}
	var params struct {
		MitID struct {
			LoAValue      string `json:"loa_value"`
			ReferenceText string `json:"reference_text"`
		} `json:"mitid"`
	}
	if err := json.Unmarshal([]byte(q.Get("idp_params")), &params); err != nil {
		t.Fatal(err)
	}
	text, err := base64.StdEncoding.DecodeString(params.MitID.ReferenceText)
	if err != nil {
		t.Fatal(err)
	}
	if params.MitID.LoAValue != "high" || string(text) != strings.Repeat("å", 130) {
		t.Fatalf("loa_value %q, reference text of %d runes", params.MitID.LoAValue, len([]rune(string(text))))
	}
}

func TestSimulatorRefusesUnknownIDP(t *testing.T) {
	e := setup(t, setupOptions{auto: true})
	authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	q := u.Query()
	q.Set("idp_values", "nemid")
	u.RawQuery = q.Encode()
	cb, err := simtest.NewBrowser(nil).Login(context.Background(), u.String(), "", simtest.Approve)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("error") != "invalid_request" || cb.Query().Has("code") {
		t.Fatalf("want invalid_request, got %s", cb)
	}
}

func TestCancelDescription(t *testing.T) {
	e := setup(t, setupOptions{})
	authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := simtest.NewBrowser(nil).Login(context.Background(), authURL, "", simtest.Cancel)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("error") != "access_denied" || cb.Query().Get("error_description") != "mitid_user_aborted" {
		t.Fatalf("got %s", cb)
	}
}

func TestSlowUpstream(t *testing.T) {
	e := setup(t, setupOptions{auto: true, timeout: 100 * time.Millisecond})
	e.sim.SetFaults(simcore.Faults{TokenHang: true})
	_, err := e.login(t, connectors.Request{}, "", simtest.Approve)
	if !errors.Is(err, connectors.ErrUpstream) {
		t.Fatalf("got %v, want ErrUpstream", err)
	}
}

// The broker's one callback finds the login by the state it gets back, so the
// upstream's state must be the broker's auth request id.
func TestStateIsTheAuthRequestID(t *testing.T) {
	e := setup(t, setupOptions{})
	authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{ID: "auth-request-id", CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	if got := u.Query().Get("state"); got != "auth-request-id" {
		t.Errorf("state %q, want the auth request id", got)
	}
}
