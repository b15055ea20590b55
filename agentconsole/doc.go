// Package agentconsole owns the agent console at /agent/: a customer-service
// agent, signed in with an eID and holding the agent role, verifies a caller
// by their personal number. The console is a client of the broker's own CIBA
// endpoint (as the internal client portvakt-agent-console), over HTTP to the
// broker's issuer URL like any other client: it starts a verification with the
// caller's number as login_hint, the agent as "portvakt:<person key>" and the
// reason, and polls the token endpoint server side while the page asks for
// the status.
//
// What an attacker can try, and what stops it:
//   - Use the console without the agent role, or after it was revoked: every
//     page and API request reads the person's roles from storage; 403.
//   - Make a signed-in agent start a look-up from another site: every POST
//     needs the session's CSRF token; a cross-origin Origin is refused.
//   - Read another agent's verification: its id is 128 random bits and the
//     record names its owner; another person gets 404.
//   - Make the console name another agent: the agent value is the signed-in
//     person's key, never taken from the request.
//   - Read a caller's data after the page closed: nothing is kept in the
//     browser (no storage, no-store on every answer, autocomplete off); the
//     page clears its fields and asks the server to drop the record when it is
//     hidden or closed; the server keeps it sealed, and only until a short
//     expiry, whichever comes first. The verified national id never reaches
//     the page: it shows whether it matches what was typed.
//   - Flood the broker or a caller: the broker's CIBA endpoint applies its
//     limits; the console polls no faster than the interval it was given and
//     backs off on slow_down.
package agentconsole
