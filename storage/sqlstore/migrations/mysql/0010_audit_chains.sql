-- The audit trail becomes a set of chains, each with its own head row, so that
-- broker processes appending to different chains never write the same row (on
-- Galera a row written from every node turns into a storm of certification
-- failures). The one chain so far becomes chain 0, its records and head
-- unchanged. Listing is by time, then chain, then sequence; one person's or one
-- client's records are found by period.

ALTER TABLE audit_records
    ADD COLUMN chain BIGINT NOT NULL DEFAULT 0 FIRST,
    DROP PRIMARY KEY,
    ADD PRIMARY KEY (chain, seq),
    DROP INDEX audit_records_at,
    DROP INDEX audit_records_client,
    DROP INDEX audit_records_person,
    DROP INDEX audit_records_subject,
    ADD KEY audit_records_at (at, chain, seq),
    ADD KEY audit_records_client (client_id, at),
    ADD KEY audit_records_person (person_key, at),
    ADD KEY audit_records_subject (subject, at);

ALTER TABLE audit_chain CHANGE COLUMN id chain BIGINT NOT NULL;
-- IGNORE: run a second time (three processes migrating at once), chain 1 may
-- already be a process's own chain and chain 0 exists: the row is left alone.
UPDATE IGNORE audit_chain SET chain = 0 WHERE chain = 1;
