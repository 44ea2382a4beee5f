-- Passkeys (WebAuthn) and the server-side state of their ceremonies (SQLite).

-- The WebAuthn user handle of an account: a random UUID, never the NIP, NIK or account id.
CREATE TABLE webauthn_users (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    user_uuid  TEXT NOT NULL UNIQUE
);

CREATE TABLE passkeys (
    cred_id      BLOB PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    name         TEXT NOT NULL,
    passkey      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- A started registration or authentication, so any replica can finish it; single-use.
CREATE TABLE webauthn_ceremonies (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    account_id TEXT,
    state      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
