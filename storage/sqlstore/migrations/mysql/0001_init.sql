-- Times are unix milliseconds (BIGINT); lists and documents are JSON text.
-- Identifiers compare byte for byte (utf8mb4_bin), as they do on SQLite.
-- Indexes are declared inline and tables with IF NOT EXISTS: MySQL commits DDL
-- statement by statement, so a migration cut short must be safe to run again.

CREATE TABLE IF NOT EXISTS clients (
    id         VARCHAR(255) NOT NULL,
    source     VARCHAR(32)  NOT NULL,
    settings   LONGTEXT     NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    version    BIGINT       NOT NULL DEFAULT 1,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS auth_requests (
    id           VARCHAR(255)  NOT NULL,
    client_id    VARCHAR(255)  NOT NULL,
    data         LONGTEXT      NULL,
    code_hash    VARBINARY(64) NULL,
    code_used_at BIGINT        NULL,
    created_at   BIGINT        NOT NULL,
    expires_at   BIGINT        NOT NULL,
    version      BIGINT        NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    UNIQUE KEY auth_requests_code_hash (code_hash),
    KEY auth_requests_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS tokens (
    id              VARCHAR(255) NOT NULL,
    client_id       VARCHAR(255) NOT NULL,
    subject         VARCHAR(255) NOT NULL,
    auth_request_id VARCHAR(255) NOT NULL DEFAULT '',
    scopes          TEXT         NULL,
    audience        TEXT         NULL,
    claims          LONGTEXT     NULL,
    created_at      BIGINT       NOT NULL,
    expires_at      BIGINT       NOT NULL,
    revoked_at      BIGINT       NULL,
    PRIMARY KEY (id),
    KEY tokens_auth_request_id (auth_request_id),
    KEY tokens_client_subject (client_id, subject),
    KEY tokens_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS signing_keys (
    id          VARCHAR(255) NOT NULL,
    algorithm   VARCHAR(32)  NOT NULL,
    private_key LONGBLOB     NOT NULL,
    public_jwk  LONGTEXT     NULL,
    created_at  BIGINT       NOT NULL,
    retired_at  BIGINT       NULL,
    expires_at  BIGINT       NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS secrets (
    name       VARCHAR(255) NOT NULL,
    value      LONGBLOB     NOT NULL,
    created_at BIGINT       NOT NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sessions (
    token  VARCHAR(255) NOT NULL,
    data   LONGBLOB     NOT NULL,
    expiry BIGINT       NOT NULL,
    PRIMARY KEY (token),
    KEY sessions_expiry (expiry)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS leases (
    name       VARCHAR(255) NOT NULL,
    holder     VARCHAR(255) NOT NULL,
    expires_at BIGINT       NOT NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS rate_counters (
    counter_key  VARCHAR(255) NOT NULL,
    window_start BIGINT       NOT NULL,
    hits         BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    PRIMARY KEY (counter_key, window_start),
    KEY rate_counters_expires_at (expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS generations (
    name  VARCHAR(255) NOT NULL,
    value BIGINT       NOT NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
