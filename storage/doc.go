// Package storage defines what the broker keeps: clients, login state (auth requests
// and their codes), tokens, signing keys, secrets, browser sessions, leases and rate
// counters. It holds the interface, the records and the sentinel errors; sqlstore
// implements it for SQLite and MySQL/MariaDB, and conformance is the one test suite
// every implementation must pass.
//
// Records are plain values. Where the provider owns a structure (the login state of an
// auth request, a client's settings), storage keeps it as an opaque document and
// indexes only what it must query on.
package storage
