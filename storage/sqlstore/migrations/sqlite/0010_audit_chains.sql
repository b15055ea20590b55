-- The audit trail becomes a set of chains, each with its own head row, so that
-- broker processes appending to different chains never write the same row. The
-- one chain so far becomes chain 0, its records and head unchanged.
-- Listing is by time, then chain, then sequence; one person's or one client's
-- records are found by period.

CREATE TABLE audit_records_chained (
    chain              INTEGER NOT NULL,
    seq                INTEGER NOT NULL,
    id                 TEXT    NOT NULL UNIQUE,
    at                 INTEGER NOT NULL,
    kind               TEXT    NOT NULL,
    client_id          TEXT    NOT NULL DEFAULT '',
    actor              TEXT    NOT NULL DEFAULT '',
    action             TEXT    NOT NULL DEFAULT '',
    connector          TEXT    NOT NULL DEFAULT '',
    loa                TEXT    NOT NULL DEFAULT '',
    country            TEXT    NOT NULL DEFAULT '',
    national_id_sealed BLOB,
    national_id_masked TEXT    NOT NULL DEFAULT '',
    person_key         TEXT    NOT NULL DEFAULT '',
    subject            TEXT    NOT NULL DEFAULT '',
    outcome            TEXT    NOT NULL DEFAULT '',
    error              TEXT    NOT NULL DEFAULT '',
    client_ip          TEXT    NOT NULL DEFAULT '',
    details            TEXT,
    prev_hash          TEXT    NOT NULL,
    hash               TEXT    NOT NULL,
    PRIMARY KEY (chain, seq)
);
INSERT INTO audit_records_chained (chain, seq, id, at, kind, client_id, actor, action, connector, loa, country,
    national_id_sealed, national_id_masked, person_key, subject, outcome, error, client_ip, details, prev_hash, hash)
    SELECT 0, seq, id, at, kind, client_id, actor, action, connector, loa, country,
    national_id_sealed, national_id_masked, person_key, subject, outcome, error, client_ip, details, prev_hash, hash
    FROM audit_records;
DROP TABLE audit_records;
ALTER TABLE audit_records_chained RENAME TO audit_records;
CREATE INDEX audit_records_at ON audit_records (at, chain, seq);
CREATE INDEX audit_records_client ON audit_records (client_id, at);
CREATE INDEX audit_records_person ON audit_records (person_key, at);
CREATE INDEX audit_records_subject ON audit_records (subject, at);

ALTER TABLE audit_chain RENAME COLUMN id TO chain;
UPDATE audit_chain SET chain = 0 WHERE chain = 1;
