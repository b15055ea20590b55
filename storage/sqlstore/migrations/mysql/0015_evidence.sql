-- Signature evidence, sealed by the broker, kept for a retention of years and
-- then purged (the audit keeps that it existed).
CREATE TABLE IF NOT EXISTS evidence (
    id         VARCHAR(64)  NOT NULL,
    client_id  VARCHAR(255) NOT NULL,
    data       MEDIUMBLOB   NOT NULL,
    created_at BIGINT       NOT NULL,
    expires_at BIGINT       NOT NULL,
    PRIMARY KEY (id),
    KEY evidence_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The keys that sign evidence attestations: the private key sealed, the public
-- JWK with its certificate. Never purged: a retired key still verifies the
-- evidence it signed.
CREATE TABLE IF NOT EXISTS evidence_keys (
    id          VARCHAR(64) NOT NULL,
    algorithm   VARCHAR(16) NOT NULL,
    private_key BLOB        NOT NULL,
    public_jwk  MEDIUMTEXT  NOT NULL,
    created_at  BIGINT      NOT NULL,
    retired_at  BIGINT      NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
