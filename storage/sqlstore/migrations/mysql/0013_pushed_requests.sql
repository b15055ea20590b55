-- Pushed authorization requests (RFC 9126): the parameters a client posted,
-- sealed, under the SHA-256 of the request_uri's reference, until one
-- authorization request takes them or they expire.
CREATE TABLE IF NOT EXISTS pushed_requests (
    ref_hash   VARBINARY(64) NOT NULL,
    client_id  VARCHAR(255)  NOT NULL,
    data       MEDIUMBLOB    NOT NULL,
    created_at BIGINT        NOT NULL,
    expires_at BIGINT        NOT NULL,
    taken_at   BIGINT        NULL,
    take_nonce VARCHAR(64)   NULL,
    PRIMARY KEY (ref_hash),
    KEY pushed_requests_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
