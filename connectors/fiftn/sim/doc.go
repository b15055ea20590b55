// Package sim simulates a Finnish Trust Network broker's OpenID provider (modelled
// on the Traficom 213/2023 S profile as brokers implement it) for development and
// tests. It is strict where the real one is: the authorize request must be a
// signed (RS256) request object and only its parameters count; acr_values and
// ftn_spname (≤40 characters) are mandatory; the token endpoint takes only
// private_key_jwt with a kid header; and the ID token is a signed JWT encrypted
// (RSA-OAEP, A128CBC-HS256) to the client's encryption key, so a client must be
// registered with its JWKS (signing and encryption keys). Claims use the OID
// names; the test users have synthetic HETUs from the temporary range (9xx) with
// the right check character. A login_hint holding a HETU in the request object
// picks the test user (a simulator convenience for auto-approve).
package sim
