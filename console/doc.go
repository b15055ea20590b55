// Package console owns how a person signs in to the broker's own consoles
// (the admin page and the agent console): each console is an OpenID client of
// the broker itself (authorization code with PKCE S256, state and nonce), the
// person identifies with an eID, and the console keeps a server-side session
// named by a random token in an HttpOnly cookie (__Host- under https). It
// also owns the session's CSRF token and the check that a person still holds a
// role, made on every request so a revocation takes effect at once.
//
// What an attacker can try, and what stops it:
//   - Plant a callback (their code and state) in a victim's browser: the state
//     is single use and bound to the browser that started the login (a binding
//     cookie whose hash the pending login keeps); another browser gets 400.
//   - Forge a state-changing request from another site: every one needs the
//     session's CSRF token (header X-CSRF-Token or form field csrf_token),
//     compared in constant time, and a cross-origin Origin is refused.
//   - Steal the session cookie: it is HttpOnly, SameSite=Lax and, under https,
//     Secure and host-only. Replayed from a browser with another User-Agent it
//     ends the session (a tripwire, not a guarantee: a thief who copies the
//     User-Agent too is stopped only by logout, expiry or revocation).
//   - Read a session row in the database: it is sealed under the master key and
//     bound to its row; its key is a hash of the cookie token, so the row does
//     not give the cookie.
//   - Keep using a console after losing a role: roles are read from storage on
//     every request, never cached in the session.
package console
