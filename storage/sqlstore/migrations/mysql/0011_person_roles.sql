-- The broker's own consoles sign people in with an eID; their roles (admin,
-- auditor, agent) are granted to a person, named by a keyed hash of the
-- national id (or a pairwise subject), never in clear. label is the masked id.
CREATE TABLE IF NOT EXISTS person_roles (
    person_key VARCHAR(128) NOT NULL,
    role       VARCHAR(32)  NOT NULL,
    label      VARCHAR(64)  NOT NULL DEFAULT '',
    granted_at BIGINT       NOT NULL,
    granted_by VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (person_key, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- "Every look-up by this agent" selects audit records by actor and period.
ALTER TABLE audit_records ADD KEY audit_records_actor (actor, at);
