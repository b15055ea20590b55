// Package broker assembles portvakt from its configuration: the database, the
// signing keys, the connectors (through the registry of connector types), the
// themes and the provider, and serves it with a graceful shutdown. Both
// `portvakt serve` and dev mode start the broker through here.
package broker
