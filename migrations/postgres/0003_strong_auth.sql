-- Strong authentication: TOTP, recovery codes, brute-force throttling, sign-in history (PostgreSQL).

-- One TOTP credential per account; `confirmed_at` NULL while enrolment is pending. The secret is
-- sealed with a key derived from the master key. `last_step` makes every code single-use
-- (RFC 6238 §5.2): a code is accepted only for a step above it.
CREATE TABLE totp_credentials (
    account_id    TEXT PRIMARY KEY REFERENCES accounts (id),
    secret_sealed BYTEA NOT NULL,
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    last_step     BIGINT NOT NULL
);

-- Ten single-use codes per account, stored as SHA-256 hashes.
CREATE TABLE recovery_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    code_hash  BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (account_id, code_hash)
);

-- Failed sign-ins per key (a keyed hash of the identifier typed, or a source address), shared
-- by every replica. `locked_until` > now means refused without checking the password.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Recent sign-ins, shown to the person on the account page.
CREATE TABLE sign_ins (
    id         BIGSERIAL PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    at         BIGINT NOT NULL,
    method     TEXT NOT NULL,
    result     TEXT NOT NULL,
    source_ip  TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sign_ins_account ON sign_ins (account_id, at);
