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
package sebankid
