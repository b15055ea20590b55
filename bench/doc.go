// Package bench is portvakt's load generator: it runs complete logins against a
// running broker whose simulators approve at once (dev mode with --auto-approve),
// the way a relying party and a browser would, and reports completed flows per
// second, latency percentiles, errors by kind and the broker's CPU time per flow
// (from the broker's own /metrics). Its pending mode holds many BankID logins open
// at once, polling their status like the order page does, to measure the broker's
// memory and polling latency while people look at a QR code.
//
// The load generator shares the machine with the broker, so it stays lean: one
// HTTP transport, cookies kept in a small map, no HTML parsing, the JWKS fetched
// once.
package bench
