-- Identities, credentials, sessions and the audit log (PostgreSQL).
-- Timestamps are Unix seconds (BIGINT) on both backends.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The internal subject: random and immutable. NIP and NIK are attributes (Pasal 12(8)-(9)).
CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('asn', 'warga')),
    display_name TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX accounts_name ON accounts (display_name);

CREATE TABLE account_roles (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    role       TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
);

-- A NIP is time-ranged: re-keying (PPPK to PNS) ends one row and starts another.
CREATE TABLE nip_records (
    id            BIGSERIAL PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    nip           TEXT NOT NULL,
    jenis_pegawai TEXT NOT NULL CHECK (jenis_pegawai IN ('PNS', 'PPPK')),
    valid_from    BIGINT NOT NULL,
    valid_to      BIGINT
);
CREATE UNIQUE INDEX nip_records_current_nip ON nip_records (nip) WHERE valid_to IS NULL;
CREATE UNIQUE INDEX nip_records_current_account ON nip_records (account_id) WHERE valid_to IS NULL;
CREATE INDEX nip_records_nip ON nip_records (nip);

-- The NIK is sealed (AES-256-GCM under a key derived from the master key) and found through
-- a keyed hash (blind index); it is never stored in clear.
CREATE TABLE nik_records (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    nik_index  BYTEA NOT NULL UNIQUE,
    nik_sealed BYTEA NOT NULL
);

CREATE TABLE password_credentials (
    account_id TEXT PRIMARY KEY REFERENCES accounts (id),
    phc        TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Login sessions of the IdP. Only a hash of the session id is stored.
CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    amr        TEXT NOT NULL,
    auth_time  BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_agent TEXT NOT NULL,
    source_ip  TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Append-only, hash-chained audit log (Pasal 21-22): each row's hash covers the previous one.
CREATE TABLE audit_log (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash BYTEA NOT NULL,
    hash      BYTEA NOT NULL
);
