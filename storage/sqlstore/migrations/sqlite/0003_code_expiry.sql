-- A code expires on its own clock (tokens.code_lifetime), not with the login it
-- belongs to: the row lives on so that a reused code can still be recognised.
ALTER TABLE auth_requests ADD COLUMN code_expires_at INTEGER NULL;
