// Package provider is the OpenID Provider: it wires zitadel/oidc's op package to
// portvakt's storage, owns the authorization endpoint, the login flow state machine
// (choose an eID, run its connector, consent, answer the relying party), the code
// grant, claims and acr, and the HTTP hygiene every page gets.
//
// The library serves discovery's building blocks, userinfo, end_session and the
// JWKS. portvakt serves /authorize, the login pages, the token endpoint,
// introspection and revocation itself, because those are where the broker's
// promises live: exact redirect matching, PKCE S256 only, RFC 9207 iss on every
// authorization response, codes consumed atomically after the client authenticated,
// a reused code revoking what it issued, one client authentication (with single-use
// assertions) at every endpoint, and introspection answering only a token's
// audience.
package provider
