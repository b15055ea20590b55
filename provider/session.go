package provider

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
)

// browserSessions are what the broker knows of a browser: the cookie that binds
// a login to it, the CSRF tokens of its forms, the logins it may reuse (single
// sign-on) and logging out of them.
type browserSessions struct {
	*pages
	sessions      *scs.SessionManager
	csrfSecret    []byte
	bindingSecret []byte
}

const browserCookie = "pv_browser"

// cookieName gives the broker's cookies the __Host- prefix when the issuer is
// https: the browser then takes them only from this host, over https, for the
// whole path, so a sibling subdomain or a plain-http page cannot plant one.
// Browsers refuse the prefix without Secure, so plain-http dev mode keeps the
// bare names.
func cookieName(secure bool, name string) string {
	if secure {
		return "__Host-" + name
	}
	return name
}

// browserBinding returns the hash of the browser's binding cookie, setting one if
// the browser has none. Every later step of a login must come from the browser with
// this cookie, so a login cannot be finished in another browser. Only values the
// broker issued count: a planted value is treated as absent and replaced.
func (s *browserSessions) browserBinding(w http.ResponseWriter, r *http.Request) string {
	if v, ok := s.browserCookie(r); ok {
		return hashHex(v)
	}
	id := newID()
	v := id + "." + s.bindingMAC(id)
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: Secure whenever the issuer is https; dev mode runs on plain http
		Name: cookieName(s.secure, browserCookie), Value: v, Path: "/", MaxAge: 24 * 3600,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return hashHex(v)
}

// browserCookie is the request's binding cookie if the broker issued it.
func (s *browserSessions) browserCookie(r *http.Request) (string, bool) {
	c, err := r.Cookie(cookieName(s.secure, browserCookie))
	if err != nil {
		return "", false
	}
	id, mac, ok := strings.Cut(c.Value, ".")
	if !ok || len(id) < 22 || !hmac.Equal([]byte(mac), []byte(s.bindingMAC(id))) {
		return "", false
	}
	return c.Value, true
}

func (s *browserSessions) bindingMAC(id string) string {
	mac := hmac.New(sha256.New, s.bindingSecret)
	mac.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// sameBrowser checks the request comes from the browser that started the login.
func (s *browserSessions) sameBrowser(r *http.Request, a *authRequest) bool {
	v, ok := s.browserCookie(r)
	if !ok {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashHex(v)), []byte(a.state.Browser)) == 1
}

func hashHex(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// csrfToken binds a form to one login and one browser; nothing is stored.
func (s *browserSessions) csrfToken(a *authRequest) string { return s.formToken(a.id, a.state.Browser) }

func (s *browserSessions) validCSRF(r *http.Request, a *authRequest) bool {
	return validFormToken(r, s.csrfToken(a))
}

// formToken is a CSRF token over what a form belongs to (a login or a purpose,
// and the browser); nothing is stored.
func (s *browserSessions) formToken(parts ...string) string {
	mac := hmac.New(sha256.New, s.csrfSecret)
	for i, p := range parts {
		if i > 0 {
			mac.Write([]byte{0})
		}
		mac.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func validFormToken(r *http.Request, want string) bool {
	return hmac.Equal([]byte(r.PostFormValue("csrf_token")), []byte(want))
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
func (s *browserSessions) rememberLogin(ctx context.Context, clientID string, l ssoLogin) {
	if s.cfg.Login.SessionLifetime <= 0 {
		return
	}
	l.Identity.Evidence = nil
	b, err := json.Marshal(l)
	if err != nil {
		return
	}
	// A token that existed before the login may be known to someone else (planted
	// in this browser): the login goes into a token nobody has seen.
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.logger.WarnContext(ctx, "login not remembered: session token not renewed", "client_id", clientID, "error", err)
		return
	}
	s.sessions.Put(ctx, ssoKey(clientID), b)
}

// rememberedLogin is the browser session's login for the client, if any.
func (s *browserSessions) rememberedLogin(ctx context.Context, clientID string) (ssoLogin, bool) {
	var l ssoLogin
	b := s.sessions.GetBytes(ctx, ssoKey(clientID))
	if len(b) == 0 || json.Unmarshal(b, &l) != nil {
		return l, false
	}
	return l, true
}

// reusableLogin finds a login of this browser that satisfies the request without
// asking the person again.
func (s *browserSessions) reusableLogin(r *http.Request, client *Client, st *loginState, options []Option, now time.Time) (ssoLogin, bool) {
	if s.cfg.Login.SessionLifetime <= 0 {
		return ssoLogin{}, false
	}
	l, ok := s.rememberedLogin(r.Context(), client.ID)
	if !ok {
		return l, false
	}
	p := st.Params
	switch {
	case slices.Contains(p.Prompt, "login"), !l.ClientCreated.Equal(client.createdAt):
		return l, false
	case p.MaxAge != nil && olderThan(now.Sub(l.AuthTime), *p.MaxAge):
		return l, false
	case !meetsLevel(&l.Identity, st.MinLoA):
		return l, false
	case p.HintSubject != "" && p.HintSubject != l.Subject:
		return l, false
	case p.LoginHintID != "" && p.LoginHintID != l.Identity.NationalID:
		return l, false
	case p.LoginHintEmail != "":
		// The session's identity carries no e-mail address to compare: the
		// person the client named is asked in their app.
		return l, false
	}
	for _, o := range options {
		if o.Info.ID == l.Identity.Connector && st.acceptsCountry(o.Value(), l.Identity.Country) {
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
	sm.Cookie.Name = cookieName(secure, "pv_session")
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
	b, err := st.sealer.Open(sealed, sessionAD(token))
	if err != nil {
		// Unreadable: the key changed, the row was copied from another token, or it
		// was sealed before sessions were bound to their token. A session only saves
		// the person a login, so it starts afresh.
		return nil, false, nil //nolint:nilerr // an unreadable session is no session, not a failure
	}
	return b, true, nil
}

func (st sealedSessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	sealed, err := st.sealer.Seal(b, sessionAD(token))
	if err != nil {
		return err
	}
	return st.store.CommitSession(ctx, hashHex(token), sealed, expiry)
}

// sessionAD binds a sealed session to its own token, so a row copied under a
// token someone else holds does not open.
func sessionAD(token string) []byte { return []byte("session\x00" + token) }

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

// olderThan reports whether age exceeds maxAge seconds (OIDC max_age); a max_age
// too large for a Duration never expires a login.
func olderThan(age time.Duration, maxAge uint) bool {
	const longest = uint64(math.MaxInt64 / int64(time.Second))
	if uint64(maxAge) >= longest {
		return false
	}
	return age > time.Duration(maxAge)*time.Second
}
