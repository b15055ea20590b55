package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portvakt/portvakt/internal/randid"
)

// ErrSignedOut: the request carries no live session of this console.
var ErrSignedOut = errors.New("not signed in")

// Person is who a session belongs to.
type Person struct {
	// Key names the person: the keyed hash of the national id, or
	// "sub:<subject>" when the eID gave none.
	Key string `json:"key"`
	// Name is the name the eID gave, for the console's header.
	Name string `json:"name"`
	// CSRF must accompany every state-changing request of the session.
	CSRF string `json:"csrf"`
	// Roles are those the person holds now (read for the request, not stored).
	Roles []string `json:"-"`
}

// session is what the store keeps, sealed.
type session struct {
	Person
	// UserAgent is a hash of the browser's User-Agent at sign-in.
	UserAgent string `json:"ua"`
	// IDToken is the hint for the broker's logout.
	IDToken string    `json:"id_token"`
	Expires time.Time `json:"expires"`
}

// pending is a login in progress, kept until its callback.
type pending struct {
	Verifier string `json:"verifier"`
	Nonce    string `json:"nonce"`
	// Browser is the hash of the binding cookie of the browser that started it.
	Browser string    `json:"browser"`
	Expires time.Time `json:"expires"`
}

func hashText(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sameText(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// rowKey is the session store's key for one of this console's records: kind,
// console and a hash of the token, so the database never holds the token.
func (s *SignIn) rowKey(kind, token string) string {
	return "console." + kind + "." + s.o.Name + "." + hashText(token)
}

// put seals v and stores it under the row key until expires.
func (s *SignIn) put(ctx context.Context, key string, v any, expires time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sealed, err := s.o.Sealer.Seal(b, []byte(key))
	if err != nil {
		return err
	}
	if err := s.o.Sessions.CommitSession(ctx, key, sealed, expires); err != nil {
		return fmt.Errorf("store console record: %w", err)
	}
	return nil
}

// get opens the record under key; found is false for none or an expired one.
func (s *SignIn) get(ctx context.Context, key string, v any) (bool, error) {
	sealed, found, err := s.o.Sessions.FindSession(ctx, key)
	if err != nil || !found {
		return false, err
	}
	b, err := s.o.Sealer.Open(sealed, []byte(key))
	if err != nil {
		return false, fmt.Errorf("open console record: %w", err)
	}
	return true, json.Unmarshal(b, v)
}

// Put and Get let the consoles keep their own sealed records (the agent
// console's verifications) beside the sessions, under keys of their own kind.
func (s *SignIn) Put(ctx context.Context, kind, id string, v any, expires time.Time) error {
	return s.put(ctx, s.rowKey(kind, id), v, expires)
}

// Get reads a record Put stored; found is false when there is none.
func (s *SignIn) Get(ctx context.Context, kind, id string, v any) (bool, error) {
	return s.get(ctx, s.rowKey(kind, id), v)
}

// Delete removes a record Put stored.
func (s *SignIn) Delete(ctx context.Context, kind, id string) error {
	return s.o.Sessions.DeleteSession(ctx, s.rowKey(kind, id))
}

// Current returns the signed-in person of the request, with the roles they
// hold now. A session replayed from a browser with another User-Agent is ended.
func (s *SignIn) Current(r *http.Request) (Person, error) {
	c, err := r.Cookie(s.cookieName(sessionCookie))
	if err != nil || len(c.Value) < 22 || len(c.Value) > 64 {
		return Person{}, ErrSignedOut
	}
	ctx := r.Context()
	key := s.rowKey("session", c.Value)
	var sess session
	found, err := s.get(ctx, key, &sess)
	if err != nil {
		return Person{}, err
	}
	if !found || s.o.Now().After(sess.Expires) {
		return Person{}, ErrSignedOut
	}
	if !sameText(sess.UserAgent, hashText(r.UserAgent())) {
		s.o.Logger.WarnContext(ctx, "console session replayed from another browser; ended", "console", s.o.Name)
		if err := s.o.Sessions.DeleteSession(ctx, key); err != nil {
			return Person{}, err
		}
		return Person{}, ErrSignedOut
	}
	p := sess.Person
	if p.Roles, err = s.o.Roles(ctx, p.Key); err != nil {
		return Person{}, err
	}
	return p, nil
}

// ValidCSRF reports whether a state-changing request carries the session's
// CSRF token (header X-CSRF-Token, else form field csrf_token) and, when the
// browser names its origin, comes from the broker's own.
func (s *SignIn) ValidCSRF(r *http.Request, p Person) bool {
	if origin := r.Header.Get("Origin"); origin != "" && origin != s.origin {
		return false
	}
	token := r.Header.Get("X-CSRF-Token")
	if token == "" {
		token = r.PostFormValue("csrf_token")
	}
	return token != "" && sameText(token, p.CSRF)
}

// newSession stores a session for p and returns its cookie token.
func (s *SignIn) newSession(ctx context.Context, p Person, userAgent, idToken string) (string, error) {
	token := randid.String(32)
	p.CSRF = randid.String(32)
	p.Roles = nil
	sess := session{Person: p, UserAgent: hashText(userAgent), IDToken: idToken, Expires: s.o.Now().Add(s.o.Lifetime)}
	return token, s.put(ctx, s.rowKey("session", token), sess, sess.Expires)
}
