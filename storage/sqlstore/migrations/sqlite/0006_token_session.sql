-- A token remembers the browser session it was issued in, so that logging out in
-- one browser revokes that session's tokens and not the same person's elsewhere.
ALTER TABLE tokens ADD COLUMN browser_session TEXT NOT NULL DEFAULT '';
