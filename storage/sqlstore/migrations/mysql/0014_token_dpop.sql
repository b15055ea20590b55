-- A token bound to a DPoP key (RFC 9449) keeps the key's thumbprint, so that
-- only requests proven with that key may use it.
ALTER TABLE tokens ADD COLUMN dpop_jkt VARCHAR(64) NOT NULL DEFAULT '';
