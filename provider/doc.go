// Package provider is the OpenID Provider: the authorization endpoint, the login
// flow, the grants, claims and acr, and the HTTP hygiene every page gets.
//
// Server only routes and runs the background work. Its parts:
//   - logins, the authorization flow: /authorize, the login pages, the eIDs'
//     redirects and orders, consent and the answer to the relying party. A
//     login's life is a phase (phase.go) with its legal transitions in one
//     table; every write of its state is checked against it, a terminal phase
//     is final, and failureFor decides whether a failure lets the person try
//     again or goes back to the client.
//   - grants: the token endpoint (code and client_credentials), client
//     authentication, introspection, revocation, userinfo and admin tokens.
//     DPoP (dpop*.go) binds tokens and codes to a client's key; encrypt.go
//     encrypts signed ID tokens and userinfo to a client's key.
//   - browserSessions: the browser binding, CSRF tokens, single sign-on and
//     logout.
//   - pages: rendering and the error pages; base: what all of them share.
//
// An authorization request reaches /authorize in one of three ways: as a
// query, by reference to one the client pushed to the PAR endpoint (par.go),
// or as a signed request object (requestobject.go). resolveRequest turns the
// last two into the parameters of the first, so one validation serves all;
// the rules on how a client must send them, and the FAPI 2.0 profile
// (profile.go), are checked on top.
//
// Every endpoint is the broker's own handler, because that is where its
// promises live: exact redirect matching, PKCE S256 only, RFC 9207 iss on every
// authorization response, codes consumed atomically after the client
// authenticated, a reused code revoking what it issued, one client
// authentication (with single-use assertions) at every endpoint, and
// introspection answering only a token's audience. Of zitadel/oidc it uses the
// request types and parsers, the access token cipher and the verifiers of its
// own tokens (oidclib.go); it runs no op.Provider and implements no op.Storage.
package provider
