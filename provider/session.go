package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/provider/storage"
)

const browserCookie = "pv_browser"

// browserBinding returns the hash of the browser's binding cookie, setting one if
// the browser has none. Every later step of a login must come from the browser with
// this cookie, so a login cannot be finished in another browser.
func (s *Server) browserBinding(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) >= 22 {
		return hashHex(c.Value)
	}
	v := newID() + newID()
	http.SetCookie(w, &http.Cookie{
		Name: browserCookie, Value: v, Path: "/", MaxAge: 24 * 3600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return hashHex(v)
}

// sameBrowser checks the request comes from the browser that started the login.
func sameBrowser(r *http.Request, a *authRequest) bool {
	c, err := r.Cookie(browserCookie)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashHex(c.Value)), []byte(a.state.Browser)) == 1
}

func hashHex(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// csrfToken binds a form to one login and one browser; nothing is stored.
func (s *Server) csrfToken(a *authRequest) string {
	mac := hmac.New(sha256.New, s.csrfSecret)
	mac.Write([]byte(a.id))
	mac.Write([]byte{0})
	mac.Write([]byte(a.state.Browser))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Server) validCSRF(r *http.Request, a *authRequest) bool {
	return hmac.Equal([]byte(r.PostFormValue("csrf_token")), []byte(s.csrfToken(a)))
}

// ssoLogin is a finished login the same client may reuse silently (prompt=none,
// max_age) while the browser session lasts. Evidence is not kept.
type ssoLogin struct {
	Identity connectors.Identity `json:"id"`
	Subject  string              `json:"sub"`
	AuthTime time.Time           `json:"at"`
	// ClientCreated is the client's creation time: a client deleted and created
	// again with the same id does not inherit the login.
	ClientCreated time.Time `json:"cc"`
}

func ssoKey(clientID string) string { return "login:" + clientID }

// rememberLogin keeps the login in the browser session for the same client only: an
// eID login is consent to identify oneself to one service, not to every service
// behind the broker.
func (s *Server) rememberLogin(ctx context.Context, clientID string, l ssoLogin) {
	if s.cfg.Login.SessionLifetime <= 0 {
		return
	}
	l.Identity.Evidence = nil
	b, err := json.Marshal(l)
	if err != nil {
		return
	}
	s.sessions.Put(ctx, ssoKey(clientID), b)
}

func (s *Server) forgetLogin(ctx context.Context, clientID string) {
	if clientID == "" {
		_ = s.sessions.Destroy(ctx)
		return
	}
	s.sessions.Remove(ctx, ssoKey(clientID))
}

// reusableLogin finds a login of this browser that satisfies the request without
// asking the person again.
func (s *Server) reusableLogin(r *http.Request, client *Client, st *loginState, options []Option, now time.Time) (ssoLogin, bool) {
	var l ssoLogin
	if s.cfg.Login.SessionLifetime <= 0 {
		return l, false
	}
	b := s.sessions.GetBytes(r.Context(), ssoKey(client.ID))
	if len(b) == 0 || json.Unmarshal(b, &l) != nil {
		return l, false
	}
	p := st.Params
	switch {
	case slices.Contains(p.Prompt, "login"), !l.ClientCreated.Equal(client.createdAt):
		return l, false
	case p.MaxAge != nil && now.Sub(l.AuthTime) > time.Duration(*p.MaxAge)*time.Second:
		return l, false
	case !meetsLevel(&l.Identity, st.MinLoA):
		return l, false
	case p.HintSubject != "" && p.HintSubject != l.Subject:
		return l, false
	case p.LoginHintID != "" && p.LoginHintID != l.Identity.NationalID:
		return l, false
	}
	for _, o := range options {
		if o.Info.ID == l.Identity.Connector {
			return l, true
		}
	}
	return l, false
}

// newSessionManager keeps browser sessions in the broker's database, sealed, so
// any replica can serve any request and the database holds no readable identity.
func newSessionManager(store storage.Sessions, sealer Sealer, lifetime time.Duration, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = sealedSessionStore{store: store, sealer: sealer}
	if lifetime > 0 {
		sm.Lifetime = lifetime
	}
	sm.Cookie.Name = "pv_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Persist = false
	return sm
}

// sealedSessionStore is scs's store over storage.Sessions.
type sealedSessionStore struct {
	store  storage.Sessions
	sealer Sealer
}

var _ scs.CtxStore = sealedSessionStore{}

func (st sealedSessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	sealed, found, err := st.store.FindSession(ctx, hashHex(token))
	if err != nil || !found {
		return nil, found, err
	}
	b, err := st.sealer.Open(sealed, []byte("session"))
	if err != nil {
		return nil, false, nil // unreadable (key changed): start afresh
	}
	return b, true, nil
}

func (st sealedSessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	sealed, err := st.sealer.Seal(b, []byte("session"))
	if err != nil {
		return err
	}
	return st.store.CommitSession(ctx, hashHex(token), sealed, expiry)
}

func (st sealedSessionStore) DeleteCtx(ctx context.Context, token string) error {
	return st.store.DeleteSession(ctx, hashHex(token))
}

func (st sealedSessionStore) Find(token string) ([]byte, bool, error) {
	return st.FindCtx(context.Background(), token)
}
func (st sealedSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return st.CommitCtx(context.Background(), token, b, expiry)
}
func (st sealedSessionStore) Delete(token string) error {
	return st.DeleteCtx(context.Background(), token)
}
