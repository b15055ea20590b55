// Package audit owns the audit trail: one append-only record per identification
// and per admin change, each chained to the one before by an HMAC-SHA256 under a
// key sealed by the master key, so that altering, removing or reordering a stored
// record is detectable even by someone who can write the database (Verify names
// the first broken record).
//
// The trail is a set of chains, so that broker processes never write one row
// all of them share (on a multi-primary cluster such a row turns every append
// into a certification conflict): each process claims a chain of its own
// through a lease and appends to it by compare-and-swap of that chain's head.
// Chain 0 is the trail as written when there was one chain; its records verify
// exactly as they were written. Records of the other chains hash their chain
// id too, so none can be moved to another chain. Each process ties its chain
// to the others with anchor records naming their heads, on claiming its chain
// and then periodically; Verify checks every chain and then every anchored
// head against its chain, so a chain dropped whole or cut back below what
// another anchored is found.
//
// Each head and purge anchor carries a MAC under the same key, and a
// checkpoint (a MAC over every chain's head) kept outside the database shows a
// chain cut back to an earlier head, or dropped, even before any anchor named
// it. Records written before the chain was keyed are re-anchored, not rehashed,
// and reported as legacy. National ids are stored sealed under the master key
// and shown masked; a keyed hash of them lets one person's records be found for
// the right of access. Retention purges each chain's oldest records and leaves
// an anchor, so what remains still verifies.
package audit
