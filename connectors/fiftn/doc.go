// Package fiftn is the connector for the Finnish Trust Network (bank ids and
// Mobiilivarmenne) through an FTN broker's OpenID provider, following the
// Traficom 213/2023 S profile.
//
// Profile: the authorization request is nothing but request=<RS256 signed
// request object> (the brokers document it as the only query parameter, so
// client_id is not repeated in the query; it is inside the request object),
// carrying acr_values, ftn_spname (the service name shown to the person, ≤40
// characters), PKCE S256, state and nonce. The token endpoint is called with
// private_key_jwt (assertion with a kid header and a jti). The ID token must be a
// signed JWT encrypted to our encryption key (RSA-OAEP, A128CBC-HS256); a plain
// one is refused. Our signing and encryption keys are published by the broker from
// PublicJWKS and registered with the FTN broker.
//
// Levels: http://ftn.ficora.fi/2017/loa3 is high and loa2 (loatest2 in brokers'
// pre-production) substantial. The connector asks for loa3 when the broker needs
// high and loa2 otherwise, and refuses a lower returned acr. Claims use the OID
// names: HETU urn:oid:1.2.246.21, surname urn:oid:2.5.4.4, given names
// urn:oid:1.2.246.575.1.14, displayName and dateOfBirth; the birth date comes
// from the HETU when dateOfBirth is absent.
//
// The simulator of this upstream is in the sim subpackage.
package fiftn
