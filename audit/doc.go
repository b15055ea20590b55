// Package audit owns the audit trail: one append-only record per identification
// and per admin change, each chained to the one before by an HMAC-SHA256 under a
// key sealed by the master key, so that altering, removing or reordering a stored
// record is detectable even by someone who can write the database (Verify names
// the first broken record). The head and the purge anchor carry a MAC under the
// same key, and a checkpoint (a MAC'd head) kept outside the database shows a
// tail cut back to an earlier head. Records written before the chain was keyed
// are re-anchored, not rehashed, and reported as legacy. National ids are stored
// sealed under the master key and shown masked; a keyed hash of them lets one
// person's records be found for the right of access. Retention purges the oldest
// records and leaves an anchor, so what remains still verifies.
package audit
