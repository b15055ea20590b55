package sqlstore

import "strconv"

// dialect holds the statements whose syntax differs between SQLite and MySQL;
// everything else is written once in the common subset (with ? placeholders).
type dialect struct {
	name string

	// bumpGeneration upserts generations(name) adding one.
	bumpGeneration string
	// commitSession upserts a session row (token, data, expiry).
	commitSession string
	// hit upserts a rate counter (counter_key, window_start, shard, expires_at) adding one.
	hit string
	// updateReturning: UPDATE ... RETURNING works (SQLite; not MySQL/MariaDB).
	updateReturning bool
	// purgeBatch deletes at most purgeBatchSize rows of table matching where
	// (whose placeholders are the cut-offs expiringTables describes).
	purgeBatch func(table, where string) string
	// updateBatch sets set on at most purgeBatchSize rows of table matching where.
	updateBatch func(table, set, where string) string

	isDuplicate   func(error) bool
	isUnavailable func(error) bool
	// fault classifies a failed statement (committing false) or a failed COMMIT
	// or autocommit statement (committing true) for retrying.
	fault func(err error, committing bool) fault
	// isSchemaDone reports a migration statement's error that means the change
	// is there already.
	isSchemaDone func(stmt string, err error) bool
}

const purgeBatchSize = 1000

var sqliteDialect = &dialect{
	name: DriverSQLite,
	bumpGeneration: `INSERT INTO generations (name, value) VALUES (?, 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1`,
	commitSession: `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
	hit: `INSERT INTO rate_counters (counter_key, window_start, shard, hits, expires_at) VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (counter_key, window_start, shard) DO UPDATE SET hits = hits + 1
		RETURNING hits`,
	updateReturning: true,
	// DELETE ... LIMIT needs a compile-time option in SQLite; rowid works always.
	purgeBatch: func(table, where string) string {
		return "DELETE FROM " + table + " WHERE rowid IN (SELECT rowid FROM " + table +
			" WHERE " + where + " LIMIT " + strconv.Itoa(purgeBatchSize) + ")"
	},
	updateBatch: func(table, set, where string) string {
		return "UPDATE " + table + " SET " + set + " WHERE rowid IN (SELECT rowid FROM " + table +
			" WHERE " + where + " LIMIT " + strconv.Itoa(purgeBatchSize) + ")"
	},
	isDuplicate:   sqliteIsDuplicate,
	isUnavailable: sqliteIsUnavailable,
	// One writer at a time: SQLite waits (busy_timeout) instead of deadlocking,
	// and a local file has no node to lose.
	fault:        func(error, bool) fault { return faultFinal },
	isSchemaDone: func(string, error) bool { return false },
}

var mysqlDialect = &dialect{
	name: DriverMySQL,
	bumpGeneration: `INSERT INTO generations (name, value) VALUES (?, 1)
		ON DUPLICATE KEY UPDATE value = value + 1`,
	commitSession: `INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON DUPLICATE KEY UPDATE data = VALUES(data), expiry = VALUES(expiry)`,
	// LAST_INSERT_ID(expr) hands the new count back in the OK packet, so a hit is
	// one round trip. On insert it is not set, and the count is 1.
	hit: `INSERT INTO rate_counters (counter_key, window_start, shard, hits, expires_at) VALUES (?, ?, ?, 1, ?)
		ON DUPLICATE KEY UPDATE hits = LAST_INSERT_ID(hits + 1)`,
	purgeBatch: func(table, where string) string {
		return "DELETE FROM " + table + " WHERE " + where + " LIMIT " + strconv.Itoa(purgeBatchSize)
	},
	updateBatch: func(table, set, where string) string {
		return "UPDATE " + table + " SET " + set + " WHERE " + where + " LIMIT " + strconv.Itoa(purgeBatchSize)
	},
	isDuplicate:   mysqlIsDuplicate,
	isUnavailable: mysqlIsUnavailable,
	fault:         mysqlFault,
	isSchemaDone:  mysqlIsSchemaAlreadyDone,
}
