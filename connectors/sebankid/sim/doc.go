// Package sim is a Swedish BankID RP API v6.0 simulator for tests and development.
//
// It issues its own CA at runtime, serves the API over mutual TLS with the same
// paths, fields, errors and order state machine as BankID, and plays the BankID app
// in a small web page (AppHandler) where a tester reads a QR code or follows an
// autostart link, picks a synthetic test user and approves or cancels. Tests can
// script hint code sequences, inject API errors and read every request received.
//
// Completed orders carry real evidence, as BankID's do: completionData.signature
// is an XML-DSig signature (exclusive C14N, SHA-256, ECDSA P-256) over
// bankIdSignedData (what was shown and signed) and KeyInfo (the person's
// certificate and its CA), by a person's key certified by the simulator's own
// signing CA (SigningRootPEM, distinct from the TLS CA); completionData.ocspResponse
// is that CA's OCSP responder's answer, good, with BankID's nonce binding it to
// the signature. Keys and certificates are made once per person, so an order's
// evidence costs two ECDSA signatures.
//
// A final collect answer (complete or failed) is given once; the order is then
// forgotten and later collects answer invalidParameters, as BankID does for orders
// it no longer knows.
package sim
