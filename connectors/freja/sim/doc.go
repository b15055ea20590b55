// Package sim is a Freja eID Relying Party API simulator for tests and
// development.
//
// It issues its own CA at runtime and serves the API over mutual TLS with
// Freja's paths, form-style base64 bodies, error codes and transaction state
// machine (STARTED, DELIVERED_TO_MOBILE, then APPROVED, REJECTED, CANCELED,
// RP_CANCELED or EXPIRED after two minutes; a second transaction for one
// person cancels both). Approved results carry details as a JWS signed by the
// simulator's own key; a signature's details carry the person's own JWS over
// the text and binary data signed (a key and certificate per person from a
// user CA of the simulator's) and an OCSP response for that certificate, so
// a signature can be verified offline against the result-signing
// certificate (JWSCertPEM, also served by the app pages as jws.pem). A small web page plays the Freja app: it reads a
// dynamic QR code (verifying Freja's base64url HMAC) or follows an app link,
// lets a tester pick a synthetic person and approve or decline. Tests can
// script statuses, inject API errors, tamper with details and read every
// request received.
package sim
