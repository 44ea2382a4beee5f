-- HR sync and deprovisioning (postgres): why an account is disabled, and back-channel logouts waiting
-- to be delivered (an outbox, so a logout decided in a transaction is never lost).

-- Who disabled an account: 'hr' (the person left, per the HR system), 'inactivity', or 'admin'
-- (an administrator, the command line). NULL while the account is active. The HR import and
-- SCIM re-enable only accounts that the HR system disabled.
ALTER TABLE accounts ADD COLUMN disabled_by TEXT;
UPDATE accounts SET disabled_by = 'admin' WHERE status = 'disabled';

-- One back-channel logout token owed to one client for one ended session. Written in the same
-- transaction that ends the session; deleted once the client acknowledged it or after the last
-- try. Replicas claim a row by moving next_attempt_at forward.
CREATE TABLE logout_outbox (
    sid             TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (sid, client_id)
);
CREATE INDEX logout_outbox_due ON logout_outbox (next_attempt_at);
