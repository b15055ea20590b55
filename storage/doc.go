// Package storage defines what the broker keeps: clients, login state (auth requests
// and their codes), tokens, signing keys, secrets, browser sessions, leases and rate
// counters. It holds the interface, the records and the sentinel errors; sqlstore
// implements it for SQLite and MySQL/MariaDB, and conformance is the one test suite
// every implementation must pass.
//
// Records are plain values. Where the provider owns a structure (the login state of an
// auth request), storage keeps it as an opaque document and indexes only what it must
// query on. A client's settings are a document too, but storage owns its format
// (ClientDocument, versioned, pinned by a golden test): the configuration file and the
// admin API map to and from it explicitly, so neither can change what is stored.
package storage
