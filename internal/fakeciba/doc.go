// Package fakeciba is a stand-in for the broker's CIBA endpoint, for tests of
// its clients (the agent console) before and apart from the real one: it
// follows the contract (bc-authorize with login_hint schemes and the
// extension parameters, the CIBA grant's answers, an ID token signed with a
// key of its JWKS carrying the auth_req_id claim) and records what it was
// sent. It checks the client id, not the secret.
package fakeciba
