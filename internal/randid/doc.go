// Package randid makes the broker's random identifiers and one-time values from
// crypto/rand: request, token, record and key ids, codes, state and nonce values,
// and the UUIDs the simulated upstreams hand out. One place decides their size and
// encoding, so no id is accidentally short or drawn from a weak source.
package randid
