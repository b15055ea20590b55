package simcore

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors/simui"
	"github.com/portvakt/portvakt/internal/randid"
)

// Options configure a simulator.
type Options struct {
	// Issuer is the simulator's full issuer URL, including any path prefix it is
	// mounted under (http://127.0.0.1:8080/sim/no-bankid).
	Issuer string
	// AutoApprove completes every authorize at once as the hinted test user (or the
	// first one), answering with a redirect to the client: no page, no person.
	AutoApprove bool
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// SigningKey signs the simulator's tokens; generated when nil.
	SigningKey *rsa.PrivateKey
	Logger     *slog.Logger
}

// Client is a client registered at the simulator.
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string
	// JWKS holds the client's public keys: "sig" for request objects and client
	// assertions, "enc" for the tokens encrypted to it.
	JWKS *jose.JSONWebKeySet
}

// Faults make the simulator misbehave, for tests.
type Faults struct {
	// TokenStatus, when non-zero, is the token endpoint's HTTP status (500).
	TokenStatus int
	// TokenHang makes the token endpoint wait until the caller gives up.
	TokenHang bool
	// TamperIDToken breaks the ID token's signature.
	TamperIDToken bool
	// ReturnLevel, when set, is the level every login reports, whatever was asked.
	ReturnLevel string
}

// Timing of the simulated upstream.
const (
	codeLifetime    = time.Minute
	tokenLifetime   = 5 * time.Minute
	pendingLifetime = 10 * time.Minute
	purgeInterval   = time.Second
)

// Server is a simulated upstream OpenID provider.
type Server struct {
	issuer   string
	basePath string
	profile  Profile
	users    []User
	auto     bool
	now      func() time.Time
	log      *slog.Logger
	key      *rsa.PrivateKey
	kid      string

	mu      sync.Mutex
	clients map[string]*Client
	pending map[string]*pending
	codes   map[string]*grant
	tokens  map[string]*grant
	jtis    map[string]time.Time
	faults  Faults
	// lastPurge is when purgeExpiredLocked last swept.
	lastPurge time.Time
}

// pending is an authorize waiting for the person on the page.
type pending struct {
	req     *AuthRequest
	expires time.Time
}

// grant is an approved login, first behind a code, then behind an access token.
type grant struct {
	req      *AuthRequest
	user     User
	sub      string
	authTime time.Time
	expires  time.Time
	idClaims map[string]any
	uiClaims map[string]any
}

// New returns a simulator for profile with the given test users (at least one).
func New(opts Options, profile Profile, users []User) (*Server, error) {
	u, err := url.Parse(opts.Issuer)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("simcore: issuer %q is not an absolute URL", opts.Issuer)
	}
	if len(users) == 0 {
		return nil, errors.New("simcore: at least one test user is needed")
	}
	s := &Server{
		issuer:   strings.TrimSuffix(opts.Issuer, "/"),
		basePath: strings.TrimSuffix(u.Path, "/"),
		profile:  profile,
		users:    users,
		auto:     opts.AutoApprove,
		now:      opts.Now,
		log:      opts.Logger,
		key:      opts.SigningKey,
		clients:  map[string]*Client{},
		pending:  map[string]*pending{},
		codes:    map[string]*grant{},
		tokens:   map[string]*grant{},
		jtis:     map[string]time.Time{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.key == nil {
		if s.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("simcore: generate signing key: %w", err)
		}
	}
	s.kid = "sim-" + randid.String(6)
	return s, nil
}

// Issuer is the simulator's issuer URL.
func (s *Server) Issuer() string { return s.issuer }

// TestUsers are the simulator's test users.
func (s *Server) TestUsers() []User { return append([]User(nil), s.users...) }

// SetFaults replaces the faults in effect.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// RegisterClient registers (or replaces) a client, refusing one the upstream
// would refuse.
func (s *Server) RegisterClient(c Client) error {
	if c.ID == "" || len(c.RedirectURIs) == 0 {
		return errors.New("simcore: client needs an id and a redirect URI")
	}
	rules := s.profile.Rules()
	if rules.EncryptTokens && clientKey(c.JWKS, "enc") == nil {
		return fmt.Errorf("simcore: %s requires the client's encryption key in its JWKS", rules.Name)
	}
	if clientKey(c.JWKS, "sig") == nil && c.Secret == "" {
		return errors.New("simcore: client needs a secret or a signing key")
	}
	copied := c
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = &copied
	return nil
}

func (s *Server) client(id string) *Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clients[id]
}

// clientKey is the client's first RSA key for use ("sig" or "enc"); a key without
// a use counts for signing.
func clientKey(set *jose.JSONWebKeySet, use string) *jose.JSONWebKey {
	if set == nil {
		return nil
	}
	for i, k := range set.Keys {
		if _, ok := k.Key.(*rsa.PublicKey); !ok {
			continue
		}
		if k.Use == use || (use == "sig" && k.Use == "") {
			return &set.Keys[i]
		}
	}
	return nil
}

// Handler serves the simulator. It answers both with and without its issuer's
// path prefix, so it can be mounted with or without http.StripPrefix.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("/authorize", s.authorize)
	mux.HandleFunc("GET /authorize/page", s.showPending)
	mux.HandleFunc("POST /authorize/decide", s.decide)
	mux.Handle("GET /static/", http.StripPrefix("/static/", simui.Static()))
	mux.HandleFunc("POST /token", s.token)
	mux.HandleFunc("/userinfo", s.userinfo)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.basePath != "" && strings.HasPrefix(r.URL.Path, s.basePath+"/") {
			r2 := r.Clone(r.Context())
			r2.URL.Path = strings.TrimPrefix(r.URL.Path, s.basePath)
			r2.URL.RawPath = ""
			r = r2
		}
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) endpoint(path string) string { return s.issuer + path }
