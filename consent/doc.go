// Package consent owns people's consent decisions for clients that ask for
// consent: the log of every decision (with its time and the exact claims shown),
// the consents a person chose to remember per client, and their withdrawal, after
// which the next login asks again. The consent page itself is the provider's.
package consent
