package fakeciba

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/portvakt/portvakt/internal/randid"
)

// Request is one bc-authorize request as received.
type Request struct {
	ClientID, Scope, LoginHint, BindingMessage, CallInitiator, Reason, Agent string
}

// Outcomes a verification can have.
const (
	Pending  = "pending"
	Approved = "approved"
	Declined = "declined"
	Expired  = "expired"
	Redeemed = "redeemed"
	// SlowDown answers the next poll with slow_down, then pending again.
	SlowDown = "slow_down"
)

type order struct {
	req     Request
	state   string
	person  Person
	created time.Time
}

// Person is who approves.
type Person struct {
	NationalID, Country, Name string
}

// Server is the fake broker.
type Server struct {
	URL      string
	ClientID string
	// Interval is the interval it acknowledges with (default 1).
	Interval int
	// AutoApprove approves every order at once as the hinted person.
	AutoApprove bool

	key *rsa.PrivateKey
	mu  sync.Mutex
	// People are the persons by national id; an unknown number gets
	// unknown_user_id.
	people   map[string]Person
	orders   map[string]*order
	requests []Request
	last     string
}

// Start serves the fake until the test ends.
func Start(t testing.TB, clientID string, people ...Person) *Server {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{ClientID: clientID, Interval: 1, key: key, people: map[string]Person{}, orders: map[string]*order{}}
	for _, p := range people {
		s.people[p.NationalID] = p
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("POST /oauth/bc-authorize", s.authorize)
	mux.HandleFunc("POST /oauth/token", s.token)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Requests are the bc-authorize requests received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Finish ends the last order as state, approved by person when given.
func (s *Server) Finish(state string, person *Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orders[s.last]; o != nil {
		o.state = state
		if person != nil {
			o.person = *person
		}
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, code int, e, description string) {
	writeJSON(w, code, map[string]string{"error": e, "error_description": description})
}

func (s *Server) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": s.URL, "authorization_endpoint": s.URL + "/authorize", "token_endpoint": s.URL + "/oauth/token",
		"jwks_uri": s.URL + "/jwks", "backchannel_authentication_endpoint": s.URL + "/oauth/bc-authorize",
		"backchannel_token_delivery_modes_supported": []string{"poll"}, "grant_types_supported": []string{"urn:openid:params:grant-type:ciba"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "response_types_supported": []string{"code"},
		"subject_types_supported":                   []string{"pairwise"},
		"portvakt_backchannel_parameters_supported": []string{"call_initiator", "reason", "agent"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &s.key.PublicKey, KeyID: "fake", Algorithm: "RS256", Use: "sig"}}})
}

func (s *Server) client(w http.ResponseWriter, r *http.Request) bool {
	id, _, ok := r.BasicAuth()
	if !ok || id != s.ClientID {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client")
		return false
	}
	return true
}

// schemes are the contract's login_hint schemes and their countries.
var schemes = map[string]string{"se-pnr": "SE", "no-nnin": "NO", "dk-cpr": "DK", "fi-hetu": "FI", "sub": ""}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	if !s.client(w, r) {
		return
	}
	req := Request{ClientID: s.ClientID, Scope: r.PostFormValue("scope"), LoginHint: r.PostFormValue("login_hint"),
		BindingMessage: r.PostFormValue("binding_message"), CallInitiator: r.PostFormValue("call_initiator"),
		Reason: r.PostFormValue("reason"), Agent: r.PostFormValue("agent")}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	scheme, number, _ := strings.Cut(req.LoginHint, ":")
	if _, ok := schemes[scheme]; !ok || number == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", "login_hint: unknown scheme")
		return
	}
	person, ok := s.people[number]
	if !ok {
		oauthError(w, http.StatusBadRequest, "unknown_user_id", "no such person")
		return
	}
	id := randid.String(32)
	o := &order{req: req, state: Pending, person: person, created: time.Now()}
	if s.AutoApprove {
		o.state = Approved
	}
	s.orders[id], s.last = o, id
	writeJSON(w, http.StatusOK, map[string]any{"auth_req_id": id, "expires_in": 120, "interval": s.Interval})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if !s.client(w, r) {
		return
	}
	if r.PostFormValue("grant_type") != "urn:openid:params:grant-type:ciba" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "CIBA only")
		return
	}
	id := r.PostFormValue("auth_req_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	switch {
	case o == nil || o.state == Redeemed:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown or used auth_req_id")
		return
	case o.state == SlowDown:
		o.state = Pending
		oauthError(w, http.StatusBadRequest, "slow_down", "poll less often")
		return
	case o.state == Pending:
		oauthError(w, http.StatusBadRequest, "authorization_pending", "the person has not answered yet")
		return
	case o.state == Declined:
		oauthError(w, http.StatusBadRequest, "access_denied", "the person declined")
		return
	case o.state == Expired:
		oauthError(w, http.StatusBadRequest, "expired_token", "the request expired")
		return
	}
	o.state = Redeemed
	now := time.Now()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "fake"))
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	claims := map[string]any{
		"iss": s.URL, "aud": s.ClientID, "sub": "pairwise-" + o.person.NationalID[len(o.person.NationalID)-4:], "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(), "name": o.person.Name, "national_id": o.person.NationalID,
		"country": o.person.Country, "acr": "http://eidas.europa.eu/LoA/substantial", "idp": "se-bankid",
		"urn:openid:params:jwt:claim:auth_req_id": id,
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randid.String(16), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}
