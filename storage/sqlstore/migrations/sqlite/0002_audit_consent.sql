-- The audit trail is append-only and hash-chained: audit_chain holds its head
-- (one row, locked by every append) and the anchor left by retention purges.

CREATE TABLE audit_records (
    seq                INTEGER NOT NULL PRIMARY KEY,
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
    hash               TEXT    NOT NULL
);
CREATE INDEX audit_records_at ON audit_records (at);
CREATE INDEX audit_records_client ON audit_records (client_id, seq);
CREATE INDEX audit_records_person ON audit_records (person_key, seq);
CREATE INDEX audit_records_subject ON audit_records (subject, seq);

CREATE TABLE audit_chain (
    id          INTEGER NOT NULL PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    last_hash   TEXT    NOT NULL,
    anchor_seq  INTEGER NOT NULL,
    anchor_hash TEXT    NOT NULL
);
INSERT OR IGNORE INTO audit_chain (id, last_seq, last_hash, anchor_seq, anchor_hash) VALUES (1, 0, '', 0, '');

CREATE TABLE consent_events (
    id        TEXT    NOT NULL PRIMARY KEY,
    at        INTEGER NOT NULL,
    client_id TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    decision  TEXT    NOT NULL,
    claims    TEXT,
    remember  INTEGER NOT NULL DEFAULT 0,
    actor     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX consent_events_client_subject ON consent_events (client_id, subject, at);

CREATE TABLE consents (
    client_id  TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    claims     TEXT,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (client_id, subject)
);
