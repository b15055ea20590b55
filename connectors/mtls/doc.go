// Package mtls owns the mutual TLS of the eIDs whose Relying Party APIs know a
// relying party by its client certificate (Swedish BankID, Freja eID): the
// client side a connector builds from its configuration (the certificate, the
// one pinned root, the HTTP client), and the certificate authority a simulator
// of such an API runs to issue its server and client certificates.
package mtls
