-- Account lifecycle (SQLite): how well each identity is proven, proven contacts, citizens'
-- self-registration, one-time codes, spent anti-automation challenges, inactivity notices.

-- `terdaftar`: claimed by its owner, not proven (self-registration). `terverifikasi`: proven (a
-- KTP-el checked at a counter, or the account came from an administrator or the HR system).
-- Accounts made before this migration were all made by an administrator.
ALTER TABLE accounts ADD COLUMN assurance TEXT NOT NULL DEFAULT 'terverifikasi'
    CHECK (assurance IN ('terdaftar', 'terverifikasi'));
-- When the notice of coming deactivation for inactivity was sent; NULL when none is pending.
ALTER TABLE accounts ADD COLUMN inactivity_notice_at INTEGER;

-- Who set an account's assurance, when, where and how.
CREATE TABLE assurance_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    assurance  TEXT NOT NULL,
    method     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    place      TEXT NOT NULL,
    note       TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX assurance_events_account ON assurance_events (account_id, at);

-- An account's email address and mobile number (E.164); `verified_at` once a code proved it.
CREATE TABLE contacts (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address     TEXT NOT NULL,
    verified_at INTEGER,
    PRIMARY KEY (account_id, channel)
);

-- A self-registration waiting for its contacts to be proven. The NIK is sealed and indexed as an
-- account's is; several may name one NIK (the answer must not tell whether it is taken).
CREATE TABLE pending_registrations (
    id           TEXT PRIMARY KEY,
    nik_index    BLOB NOT NULL,
    nik_sealed   BLOB NOT NULL,
    display_name TEXT NOT NULL,
    email        TEXT,
    phone        TEXT,
    phc          TEXT NOT NULL,
    source_ip    TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX pending_registrations_expiry ON pending_registrations (expires_at);

-- One-time codes (contact proof, password reset, activation). Only a keyed hash of the code is
-- kept; each allows a few attempts, expires, and is used once.
CREATE TABLE one_time_codes (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    subject    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    code_hash  BLOB NOT NULL,
    attempts   INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX one_time_codes_subject ON one_time_codes (subject, purpose, created_at);
CREATE INDEX one_time_codes_expiry ON one_time_codes (expires_at);

-- Proof-of-work challenges already spent, so that one solution registers once.
CREATE TABLE spent_challenges (
    hash       BLOB PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
