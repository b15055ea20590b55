// Package brokertest builds a provider for tests: a fresh SQLite database, signing
// keys, the themes and the clients of a configuration, with whatever connectors
// and hooks the test brings. Provider, conformance, fuzz and benchmark tests share
// it rather than each assembling the broker again.
package brokertest
