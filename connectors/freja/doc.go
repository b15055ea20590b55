// Package freja owns the Freja eID connector: an OrderConnector (with Signer
// and Backchannel) over Freja's Relying Party REST API with mutual TLS, the
// dynamic QR code, the details JWS verified against Freja's configured
// certificate, the mapping of statuses and error codes to messages in sv, nb,
// fi, da and en, and the Identity built from an approved transaction.
//
// client.go is a small API client usable on its own (initAuthentication,
// getOneResult and cancel for authentications and signatures); connector.go is
// the login flow on top of it. The simulator in package sim speaks the same API
// for tests and development.
//
// Decisions worth knowing:
//   - Registration levels map to eIDAS levels: PLUS is substantial, EXTENDED
//     and BASIC low. A login that must reach substantial asks Freja for PLUS,
//     and an approval below the level asked for is refused
//     (connectors.ErrLoANotSupported), whatever Freja says.
//   - Freja serves personal numbers of SE, NO, DK and FI. The country comes
//     from the signed result and the number must pass that country's rules.
//   - Only the signed details are trusted: requestedAttributes outside the JWS
//     are ignored.
//   - A signature (sign.go) shows plain text (SIMPLE) and signs binary data
//     unseen with it (EXTENDED). The order keeps the data exactly as sent; the
//     approved details must sign exactly that (package evidence/frejasig) or
//     the signature is refused, and they travel verbatim as the signature's
//     proof (Identity.Signature, native artefact freja_details_jws).
//   - getOneResult and cancel are retried briefly on transport errors and 5xx
//     answers; initAuthentication and initSignature never are, because a second
//     transaction for one person cancels both.
package freja
