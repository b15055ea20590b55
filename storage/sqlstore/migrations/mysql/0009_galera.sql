-- Safe on a Galera cluster, where a write's commit can be lost with its
-- connection and every node writes at once.

-- The nonce of the compare-and-swap that last changed the row: a writer whose
-- commit had an unknown outcome re-reads it to tell its own success (a redeemed
-- code, a moved login, an updated client) from another writer's.
ALTER TABLE auth_requests ADD COLUMN write_nonce VARCHAR(32) NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN write_nonce VARCHAR(32) NOT NULL DEFAULT '';

-- token grows every time a lease is taken, so a holder's writes can be fenced;
-- fenced_writes changes with each fenced write, so that the write set of a
-- holder whose lease moved on conflicts with the new holder's and loses.
ALTER TABLE leases ADD COLUMN token BIGINT NOT NULL DEFAULT 0, ADD COLUMN fenced_writes BIGINT NOT NULL DEFAULT 0;

-- Each store counts in its own shard and reads the sum, so no counter row is
-- written from every node. Rows from before are shard 0.
ALTER TABLE rate_counters ADD COLUMN shard INT NOT NULL DEFAULT 0, DROP PRIMARY KEY, ADD PRIMARY KEY (counter_key, window_start, shard);
