// Package sqlstore is the one SQL implementation of storage.Storage. It serves
// SQLite (the embedded default, pure Go through modernc.org/sqlite) and
// MySQL/MariaDB (go-sql-driver/mysql, for production with several replicas).
//
// It owns the schema (numbered migrations embedded per dialect and applied by
// Migrate, never implicitly by Open), the translation of driver errors into the
// storage sentinel errors, and the connection pools.
//
// Times are stored as unix milliseconds in BIGINT/INTEGER columns in both
// dialects, so values read back are exact to the millisecond and in UTC.
//
// On SQLite, writes go through a pool of one connection, so writers in this
// process queue in Go instead of spinning in SQLite's busy handler; reads use a
// separate read-only pool and run concurrently with the writer (WAL). Several
// processes may still share the file: busy_timeout and BEGIN IMMEDIATE make them
// wait for each other.
//
// On MySQL and MariaDB, and on a MariaDB Galera cluster, every write follows
// one set of rules (tx.go, errors.go, idempotent.go): a transaction is
// abandoned at its first error and the whole function runs again after a
// conflict (1213, 1205) or on a fresh connection after a lost node (1047, 1180
// without quorum); a commit whose connection died has an unknown outcome and is
// resolved by re-reading what it wrote, by its primary key or by the nonce each
// compare-and-swap writes into its row. Galera nodes get causal reads
// (wsrep_sync_wait), migrations take no lock and are safe to run from several
// nodes at once, leases carry a token that fences their holder's writes, and
// each store counts rate limits in a shard of its own. Named locks, table locks,
// SELECT ... FOR UPDATE, MyISAM and XA do not hold across nodes and are banned
// by a test.
package sqlstore
