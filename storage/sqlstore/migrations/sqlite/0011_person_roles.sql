-- The broker's own consoles sign people in with an eID; their roles (admin,
-- auditor, agent) are granted to a person, named by a keyed hash of the
-- national id (or a pairwise subject), never in clear. label is the masked id.
CREATE TABLE person_roles (
    person_key TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    label      TEXT    NOT NULL DEFAULT '',
    granted_at INTEGER NOT NULL,
    granted_by TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (person_key, role)
);

-- "Every look-up by this agent" selects audit records by actor and period.
CREATE INDEX audit_records_actor ON audit_records (actor, at);
