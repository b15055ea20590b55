-- Times are unix milliseconds (INTEGER); lists and documents are JSON text.

CREATE TABLE clients (
    id         TEXT    NOT NULL PRIMARY KEY,
    source     TEXT    NOT NULL,
    settings   TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE auth_requests (
    id           TEXT    NOT NULL PRIMARY KEY,
    client_id    TEXT    NOT NULL,
    data         TEXT,
    code_hash    BLOB UNIQUE,
    code_used_at INTEGER,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX auth_requests_expires_at ON auth_requests (expires_at);

CREATE TABLE tokens (
    id              TEXT    NOT NULL PRIMARY KEY,
    client_id       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    auth_request_id TEXT    NOT NULL DEFAULT '',
    scopes          TEXT,
    audience        TEXT,
    claims          TEXT,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE INDEX tokens_auth_request_id ON tokens (auth_request_id);
CREATE INDEX tokens_client_subject ON tokens (client_id, subject);
CREATE INDEX tokens_expires_at ON tokens (expires_at);

CREATE TABLE signing_keys (
    id          TEXT    NOT NULL PRIMARY KEY,
    algorithm   TEXT    NOT NULL,
    private_key BLOB    NOT NULL,
    public_jwk  TEXT,
    created_at  INTEGER NOT NULL,
    retired_at  INTEGER,
    expires_at  INTEGER
);

CREATE TABLE secrets (
    name       TEXT    NOT NULL PRIMARY KEY,
    value      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token  TEXT    NOT NULL PRIMARY KEY,
    data   BLOB    NOT NULL,
    expiry INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE rate_counters (
    counter_key  TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    hits         INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    PRIMARY KEY (counter_key, window_start)
);
CREATE INDEX rate_counters_expires_at ON rate_counters (expires_at);

CREATE TABLE generations (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
