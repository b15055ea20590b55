// Package connectors owns the contract between the broker and the national eIDs.
//
// A connector is its Info (id, countries, names and descriptions per language,
// logo, methods and the acr values other brokers use for it) and the
// capabilities it has, each a small named interface asserted at compile time:
// a login flow, RedirectConnector (upstream OpenID providers: Norwegian BankID,
// FTN, MitID) or OrderConnector (Swedish BankID, Freja eID: the broker starts an
// order and polls it); Signer and Backchannel (orders to sign, or started from a
// national id or an e-mail address with no browser); KeyPublisher (keys the
// upstream fetches); Messages (the eID's own texts). An eID may serve several
// countries (Freja eID); a login may accept the people of some of them only
// (Request.Countries, ErrCountryNotAccepted). Split and Assemble let a decorator wrap one capability and
// keep exactly the others. Connectors know nothing of the provider side of OIDC;
// the provider knows connectors only through this package.
//
// The Registry lists every connector type with its configuration and its
// Simulator; the composition root (broker.ConnectorTypes) decides which exist,
// and dev mode, `portvakt sim` and the tests derive their eIDs from it. Adding an
// eID is its package, its simulator and one registration line.
package connectors
