package nobankid_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/nobankid"
	"github.com/portvakt/portvakt/connectors/nobankid/sim"
	"github.com/portvakt/portvakt/connectors/oidcup"
	"github.com/portvakt/portvakt/connectors/simcore"
	"github.com/portvakt/portvakt/connectors/simcore/simtest"
	"github.com/portvakt/portvakt/internal/nationalid"
)

const callbackURL = "https://broker.example/connectors/no-bankid/callback"

type env struct {
	sim  *sim.Sim
	conn *nobankid.Connector
}

// setup mounts the simulator under a path prefix of a test server, as the broker
// does in dev mode, and opens a connector against it.
func setup(t *testing.T, autoApprove bool) env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s, err := sim.New(sim.Options{Issuer: srv.URL + "/sim/no-bankid", AutoApprove: autoApprove})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/sim/no-bankid/", s.Handler())
	if err := s.RegisterClient(simcore.Client{
		ID: simClientID, Secret: simClientSecret, RedirectURIs: []string{callbackURL},
	}); err != nil {
		t.Fatal(err)
	}
	cfg := simConfig(s.Issuer())
	cfg.Timeout = oidcup.Duration(2 * time.Second)
	conn, err := cfg.Open(context.Background(), "no-bankid", connectors.Deps{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return env{sim: s, conn: conn.(*nobankid.Connector)}
}

// login runs Begin, the browser and Finish.
func (e env) login(t *testing.T, req connectors.Request, user, action string) (connectors.Identity, error) {
	t.Helper()
	return simtest.Login(t, e.conn, req, callbackURL, user, action)
}

func TestTestUsersHaveValidFodselsnummer(t *testing.T) {
	users := sim.TestUsers()
	if len(users) < 3 {
		t.Fatalf("want at least 3 test users, have %d", len(users))
	}
	for _, u := range users {
		if !nationalid.Valid(nationalid.NOFodselsnummer, u.NationalID) {
			t.Errorf("%s: %s is not a valid fødselsnummer", u.Name, u.NationalID)
		}
	}
}

func TestLogin(t *testing.T) {
	users := sim.TestUsers()
	tests := []struct {
		name    string
		auto    bool
		req     connectors.Request
		user    simcore.User
		wantLoA connectors.LoA
		wantACR string
		wantURN string
	}{
		{"high on the page", false, connectors.Request{MinLoA: connectors.LoAHigh}, users[1],
			connectors.LoAHigh, "urn:bankid:bid;LOA=4", "urn:portvakt:eid:no:bankid"},
		{"substantial on the page", false, connectors.Request{Method: nobankid.MethodSubstantial, MinLoA: connectors.LoASubstantial}, users[0],
			connectors.LoASubstantial, "urn:bankid:bis;LOA=3", "urn:portvakt:eid:no:bankid:substantial"},
		{"auto-approve as the hinted user", true, connectors.Request{NationalID: users[2].NationalID}, users[2],
			connectors.LoAHigh, "urn:bankid:bid;LOA=4", "urn:portvakt:eid:no:bankid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.auto)
			id, err := e.login(t, tt.req, tt.user.NationalID, simtest.Approve)
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			want := connectors.Identity{
				Connector: "no-bankid", Country: "NO",
				NationalID: tt.user.NationalID, NationalIDType: connectors.IDTypeNOFodselsnummer,
				GivenName: tt.user.Claims["given_name"].(string), FamilyName: tt.user.Claims["family_name"].(string),
				Name: tt.user.Name, Birthdate: tt.user.Claims["birthdate"].(string),
				LoA: tt.wantLoA, Method: tt.wantURN, UpstreamACR: tt.wantACR,
				StableID: tt.user.Claims["bankid_altsub"].(string),
			}
			got := id
			got.AMR, got.Evidence = nil, nil
			if got.Connector != want.Connector || got.NationalID != want.NationalID || got.NationalIDType != want.NationalIDType ||
				got.GivenName != want.GivenName || got.FamilyName != want.FamilyName || got.Name != want.Name ||
				got.Birthdate != want.Birthdate || got.LoA != want.LoA || got.Method != want.Method ||
				got.UpstreamACR != want.UpstreamACR || got.StableID != want.StableID || got.Country != want.Country {
				t.Errorf("identity\n got %+v\nwant %+v", got, want)
			}
			if len(id.AMR) == 0 || len(id.Evidence) == 0 {
				t.Errorf("want amr and evidence, got %v %s", id.AMR, id.Evidence)
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
		{"lower level than asked", simcore.Faults{ReturnLevel: simcore.LevelSubstantial},
			connectors.Request{MinLoA: connectors.LoASubstantial}, simtest.Approve, connectors.ErrLoANotSupported},
		{"tampered id token", simcore.Faults{TamperIDToken: true}, connectors.Request{}, simtest.Approve, connectors.ErrInvalidResponse},
		{"token endpoint 500", simcore.Faults{TokenStatus: http.StatusInternalServerError}, connectors.Request{}, simtest.Approve, connectors.ErrUpstream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, false)
			e.sim.SetFaults(tt.faults)
			_, err := e.login(t, tt.req, "", tt.action)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestHighRefusedForSubstantialMethod(t *testing.T) {
	e := setup(t, false)
	_, _, err := e.conn.Begin(context.Background(), connectors.Request{
		Method: nobankid.MethodSubstantial, MinLoA: connectors.LoAHigh, CallbackURL: callbackURL,
	})
	if !errors.Is(err, connectors.ErrLoANotSupported) {
		t.Fatalf("got %v, want ErrLoANotSupported", err)
	}
}

func TestStateMismatchRefused(t *testing.T) {
	e := setup(t, true)
	ctx := context.Background()
	authURL, _, err := e.conn.Begin(ctx, connectors.Request{CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	_, otherState, err := e.conn.Begin(ctx, connectors.Request{CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := simtest.NewBrowser(nil).Login(ctx, authURL, "", simtest.Approve)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.conn.Finish(ctx, otherState, httptest.NewRequest(http.MethodGet, cb.String(), nil))
	if !errors.Is(err, connectors.ErrInvalidResponse) {
		t.Fatalf("got %v, want ErrInvalidResponse", err)
	}
}

func TestSimulatorRequiresPKCE(t *testing.T) {
	e := setup(t, true)
	q := url.Values{
		"client_id": {simClientID}, "redirect_uri": {callbackURL}, "response_type": {"code"},
		"scope": {"openid"}, "state": {"s"}, "nonce": {"n"},
	}
	cb, err := simtest.NewBrowser(nil).Login(context.Background(), e.sim.Issuer()+"/authorize?"+q.Encode(), "", simtest.Approve)
	if err != nil {
		t.Fatal(err)
	}
	if cb.Query().Get("error") != "invalid_request" || cb.Query().Has("code") {
		t.Fatalf("want invalid_request without a code, got %s", cb)
	}
}

func TestUpstreamFailures(t *testing.T) {
	t.Run("slow token endpoint", func(t *testing.T) {
		mux := http.NewServeMux()
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		s, err := sim.New(sim.Options{Issuer: srv.URL, AutoApprove: true})
		if err != nil {
			t.Fatal(err)
		}
		mux.Handle("/", s.Handler())
		if err := s.RegisterClient(simcore.Client{ID: "c", Secret: "s", RedirectURIs: []string{callbackURL}}); err != nil {
			t.Fatal(err)
		}
		s.SetFaults(simcore.Faults{TokenHang: true})
		cfg := &nobankid.Config{Upstream: oidcup.Upstream{
			Issuer: srv.URL, ClientID: "c", ClientSecret: "s", Timeout: oidcup.Duration(100 * time.Millisecond),
		}}
		conn, err := cfg.Open(context.Background(), "", connectors.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		e := env{sim: &sim.Sim{Server: s.Server}, conn: conn.(*nobankid.Connector)}
		_, err = e.login(t, connectors.Request{}, "", simtest.Approve)
		if !errors.Is(err, connectors.ErrUpstream) {
			t.Fatalf("got %v, want ErrUpstream", err)
		}
	})
	t.Run("upstream down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		issuer := srv.URL
		srv.Close()
		cfg := &nobankid.Config{Upstream: oidcup.Upstream{Issuer: issuer, ClientID: "c", ClientSecret: "s"}}
		conn, err := cfg.Open(context.Background(), "", connectors.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = conn.(connectors.RedirectConnector).Begin(context.Background(), connectors.Request{CallbackURL: callbackURL})
		if !errors.Is(err, connectors.ErrUpstream) {
			t.Fatalf("got %v, want ErrUpstream", err)
		}
	})
}

// The broker's one callback finds the login by the state it gets back, so the
// upstream's state must be the broker's auth request id.
func TestStateIsTheAuthRequestID(t *testing.T) {
	e := setup(t, false)
	authURL, _, err := e.conn.Begin(context.Background(), connectors.Request{ID: "auth-request-id", CallbackURL: callbackURL})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	if got := u.Query().Get("state"); got != "auth-request-id" {
		t.Errorf("state %q, want the auth request id", got)
	}
}
