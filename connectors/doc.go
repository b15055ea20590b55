// Package connectors owns the contract between the broker and the national eIDs.
//
// Two kinds of upstream exist, so there are two small interfaces: a RedirectConnector
// (upstream OpenID providers: Norwegian BankID, FTN, MitID) and an OrderConnector
// (Swedish BankID, Freja: the broker starts an order and polls it). Both report an
// Identity. Connectors know nothing of the provider side of OIDC; the provider knows
// connectors only through this package.
//
// Connector configuration types are registered by name in a Registry and opened with
// Open, as Dex does, so the composition root decides which implementations exist.
package connectors
