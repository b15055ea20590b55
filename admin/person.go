package admin

import (
	"errors"
	"net/http"
	"slices"

	"github.com/portvakt/portvakt/console"
)

// PersonActorPrefix names a person signed in to the admin page in the audit
// trail: "person:" and their person key.
const PersonActorPrefix = "person:"

// person authenticates a request of the admin page by its session: the
// person's admin and auditor roles as they are now, and the CSRF token on
// every request that is not a read. ok false with an Actor set means the
// answer was written (refused); with no Actor, there is no session and the
// caller goes on to look for a token.
func (a *API) person(w http.ResponseWriter, r *http.Request) (Principal, bool) {
	p, err := a.signIn.Current(r)
	switch {
	case errors.Is(err, console.ErrSignedOut):
		return Principal{}, false
	case err != nil:
		a.svc.o.Logger.ErrorContext(r.Context(), "admin page session", "error", err)
		writeError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "the session could not be checked; try again")
		return Principal{Actor: "-"}, false
	}
	actor := PersonActorPrefix + p.Key
	if r.Method != http.MethodGet && r.Method != http.MethodHead && !a.signIn.ValidCSRF(r, p) {
		writeError(w, http.StatusForbidden, "csrf", "the request does not carry this session's CSRF token")
		return Principal{Actor: actor}, false
	}
	roles := slices.DeleteFunc(slices.Clone(p.Roles), func(role string) bool { return role != RoleAdmin && role != RoleAuditor })
	return Principal{Actor: actor, Roles: roles, IP: a.peer(r)}, true
}

// sessionInfo tells the admin page who is signed in, their roles and the CSRF
// token its requests carry; {"signed_in": false} otherwise.
func sessionInfo(signIn *console.SignIn) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := signIn.Current(r)
		if err != nil {
			writeJSON(w, http.StatusOK, map[string]any{"signed_in": false})
			return
		}
		roles := slices.DeleteFunc(slices.Clone(p.Roles), func(role string) bool { return role != RoleAdmin && role != RoleAuditor })
		writeJSON(w, http.StatusOK, map[string]any{"signed_in": true, "name": p.Name, "roles": roles, "csrf_token": p.CSRF})
	}
}
