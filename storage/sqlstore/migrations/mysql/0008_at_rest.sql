-- The audit chain is keyed: keyed_from is its first keyed record (records before
-- it were written with the unkeyed hash), mac authenticates the head and the
-- purge anchor. 0 and '' until the broker keys the chain at start.
ALTER TABLE audit_chain ADD COLUMN keyed_from BIGINT NOT NULL DEFAULT 0, ADD COLUMN mac VARCHAR(64) NOT NULL DEFAULT '';

-- Token claims are now sealed (a JSON string). Claims written in clear before
-- are erased rather than kept: those tokens live at most an hour, and the
-- master key is not available to a migration to seal them.
UPDATE tokens SET claims = NULL WHERE claims IS NOT NULL AND claims NOT LIKE '"%';
