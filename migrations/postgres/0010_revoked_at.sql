-- When a token was revoked (postgres), so that every replica can read the revocations made since it
-- last looked, once a second, instead of asking the database at every introspection. Rows from
-- before this migration get 0 and are read on a replica's first look.
ALTER TABLE revoked_tokens ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX revoked_tokens_revoked_at ON revoked_tokens (revoked_at);
