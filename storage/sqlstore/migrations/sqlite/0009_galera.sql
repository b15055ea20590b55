-- The columns the MySQL schema gained for Galera, so both dialects share their
-- statements (SQLite itself has one writer and no lost commits).

-- The nonce of the compare-and-swap that last changed the row.
ALTER TABLE auth_requests ADD COLUMN write_nonce TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN write_nonce TEXT NOT NULL DEFAULT '';

-- token grows every time a lease is taken; fenced_writes with each fenced write.
ALTER TABLE leases ADD COLUMN token INTEGER NOT NULL DEFAULT 0;
ALTER TABLE leases ADD COLUMN fenced_writes INTEGER NOT NULL DEFAULT 0;

-- Rate counters keyed by shard too (one shard on SQLite). SQLite cannot change
-- a primary key in place: the table is rebuilt in this migration's transaction.
CREATE TABLE rate_counters_sharded (
    counter_key  TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    shard        INTEGER NOT NULL DEFAULT 0,
    hits         INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (counter_key, window_start, shard)
);
INSERT INTO rate_counters_sharded (counter_key, window_start, shard, hits, expires_at)
    SELECT counter_key, window_start, 0, hits, expires_at FROM rate_counters;
DROP TABLE rate_counters;
ALTER TABLE rate_counters_sharded RENAME TO rate_counters;
CREATE INDEX rate_counters_expires_at ON rate_counters (expires_at);
