-- The audit trail is append-only and hash-chained: audit_chain holds its head
-- (one row, locked by every append with SELECT ... FOR UPDATE, so appends from
-- every broker process form one chain) and the anchor left by retention purges.

CREATE TABLE IF NOT EXISTS audit_records (
    seq                BIGINT        NOT NULL,
    id                 VARCHAR(64)   NOT NULL,
    at                 BIGINT        NOT NULL,
    kind               VARCHAR(16)   NOT NULL,
    client_id          VARCHAR(255)  NOT NULL DEFAULT '',
    actor              VARCHAR(255)  NOT NULL DEFAULT '',
    action             VARCHAR(64)   NOT NULL DEFAULT '',
    connector          VARCHAR(64)   NOT NULL DEFAULT '',
    loa                VARCHAR(32)   NOT NULL DEFAULT '',
    country            VARCHAR(8)    NOT NULL DEFAULT '',
    national_id_sealed VARBINARY(255) NULL,
    national_id_masked VARCHAR(64)   NOT NULL DEFAULT '',
    person_key         VARCHAR(64)   NOT NULL DEFAULT '',
    subject            VARCHAR(255)  NOT NULL DEFAULT '',
    outcome            VARCHAR(16)   NOT NULL DEFAULT '',
    error              VARCHAR(255)  NOT NULL DEFAULT '',
    client_ip          VARCHAR(64)   NOT NULL DEFAULT '',
    details            LONGTEXT      NULL,
    prev_hash          VARCHAR(64)   NOT NULL,
    hash               VARCHAR(64)   NOT NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY audit_records_id (id),
    KEY audit_records_at (at),
    KEY audit_records_client (client_id, seq),
    KEY audit_records_person (person_key, seq),
    KEY audit_records_subject (subject, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS audit_chain (
    id          INT          NOT NULL,
    last_seq    BIGINT       NOT NULL,
    last_hash   VARCHAR(64)  NOT NULL,
    anchor_seq  BIGINT       NOT NULL,
    anchor_hash VARCHAR(64)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO audit_chain (id, last_seq, last_hash, anchor_seq, anchor_hash) VALUES (1, 0, '', 0, '');

CREATE TABLE IF NOT EXISTS consent_events (
    id        VARCHAR(64)  NOT NULL,
    at        BIGINT       NOT NULL,
    client_id VARCHAR(255) NOT NULL,
    subject   VARCHAR(255) NOT NULL,
    decision  VARCHAR(16)  NOT NULL,
    claims    TEXT         NULL,
    remember  TINYINT      NOT NULL DEFAULT 0,
    actor     VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY consent_events_client_subject (client_id, subject, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS consents (
    client_id  VARCHAR(255) NOT NULL,
    subject    VARCHAR(255) NOT NULL,
    claims     TEXT         NULL,
    granted_at BIGINT       NOT NULL,
    PRIMARY KEY (client_id, subject)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
