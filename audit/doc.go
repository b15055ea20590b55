// Package audit owns the audit trail: one append-only record per identification
// and per admin change, each chained to the one before by a SHA-256 hash so that
// altering, removing or reordering a stored record is detectable (Verify names the
// first broken record). National ids are stored sealed under the master key and
// shown masked; a keyed hash of them lets one person's records be found for the
// right of access. Retention purges the oldest records and leaves an anchor, so
// what remains still verifies.
package audit
