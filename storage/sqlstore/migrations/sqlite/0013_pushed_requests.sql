-- Pushed authorization requests (RFC 9126): the parameters a client posted,
-- sealed, under the SHA-256 of the request_uri's reference, until one
-- authorization request takes them or they expire.
CREATE TABLE pushed_requests (
    ref_hash   BLOB    NOT NULL PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    taken_at   INTEGER,
    take_nonce TEXT
);
CREATE INDEX pushed_requests_expires_at ON pushed_requests (expires_at);
