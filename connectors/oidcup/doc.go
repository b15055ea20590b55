// Package oidcup is the OpenID Connect client that the upstream eID connectors
// (Norwegian BankID, FTN, MitID) share.
//
// It owns discovery, the authorization request (always PKCE S256, random state and
// nonce, optionally a signed request object), client authentication at the token
// endpoint (private_key_jwt or a client secret), ID token decryption and
// verification, and userinfo as JSON or as a signed, optionally encrypted, JWT. It
// also owns the client's own keys and publishes their public half as a JWKS.
//
// What a claim means, which level was reached and which acr to ask for belongs to
// each connector; this package only proves that an answer came from the upstream
// and was meant for this login. Errors wrap the connectors sentinels: a cancel is
// connectors.ErrCancelled, a failed check connectors.ErrInvalidResponse, and a
// transport failure, timeout or 5xx connectors.ErrUpstream.
package oidcup
