// Package sebankid owns the Swedish BankID connector: an OrderConnector over the
// BankID Relying Party API v6.0 with mutual TLS, the animated QR code, the mapping of
// collect results to BankID's Recommended User Messages (RFA) in sv, en, nb, fi and
// da, and the Identity built from a completed order.
//
// client.go is a small API client usable on its own (auth, sign, phone/auth,
// phone/sign, collect, cancel); connector.go is the login flow on top of it. The
// simulator in package sim speaks the same API for tests and development.
//
// Decisions worth knowing:
//   - Certificate policies are sent only when configured. The Mobile BankID policy
//     has different OIDs in test and production, so a default would silently lock out
//     people in the other environment, and a QR code can only be read by Mobile
//     BankID anyway.
//   - BankID reaches eIDAS substantial, never high: asking for more is
//     connectors.ErrLoANotSupported.
//   - collect and cancel are retried briefly on transport errors and 5xx answers;
//     auth and sign never are, because a retried start would be a second order.
//   - A failed order wraps connectors.ErrCancelled (userCancel, cancelled,
//     userDeclinedCall), connectors.ErrExpired (expiredTransaction, startFailed) or
//     connectors.ErrUpstream (everything else), inside a connectors.UserError
//     carrying the RFA message id.
//   - Signing (sign, phone/sign; plain or simpleMarkdownV1 text, unseen data)
//     is offered only with signing roots configured (signing_roots_file or
//     signing_roots_pem). Each completed signature and its OCSP response are
//     checked offline with evidence/bankidsig against those roots and the
//     SHA-256 digests of what was sent, kept in the order's state; a signature
//     that fails is connectors.ErrInvalidResponse, never an identity. The
//     checked artefacts travel verbatim on Identity.Signature.
package sebankid
