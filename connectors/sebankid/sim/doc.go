// Package sim is a Swedish BankID RP API v6.0 simulator for tests and development.
//
// It issues its own CA at runtime, serves the API over mutual TLS with the same
// paths, fields, errors and order state machine as BankID, and plays the BankID app
// in a small web page (AppHandler) where a tester reads a QR code or follows an
// autostart link, picks a synthetic test user and approves or cancels. Tests can
// script hint code sequences, inject API errors and read every request received.
//
// A final collect answer (complete or failed) is given once; the order is then
// forgotten and later collects answer invalidParameters, as BankID does for orders
// it no longer knows.
package sim
