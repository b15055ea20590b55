-- Signature evidence, sealed by the broker, kept for a retention of years and
-- then purged (the audit keeps that it existed).
CREATE TABLE evidence (
    id         TEXT    NOT NULL PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX evidence_expires_at ON evidence (expires_at);
-- The keys that sign evidence attestations: the private key sealed, the public
-- JWK with its certificate. Never purged: a retired key still verifies the
-- evidence it signed.
CREATE TABLE evidence_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    algorithm   TEXT    NOT NULL,
    private_key BLOB    NOT NULL,
    public_jwk  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER
);
