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
package sqlstore
