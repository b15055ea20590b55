-- A login with an eID order still open upstream is marked, so that when it
-- expires its order is cancelled before the row is purged.
ALTER TABLE auth_requests ADD COLUMN open_order INTEGER NOT NULL DEFAULT 0;
