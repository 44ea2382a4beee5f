-- OpenID Connect provider: clients, signing keys, pending authorization requests, codes,
-- grants (token families), refresh tokens, consents and revoked access tokens (PostgreSQL).

-- The public id of a login session, carried as `sid` in ID and logout tokens (never the
-- cookie secret, whose hash is the primary key).
ALTER TABLE sessions ADD COLUMN sid TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_sid ON sessions (sid);

CREATE TABLE clients (
    id                        TEXT PRIMARY KEY,
    name                      TEXT NOT NULL,
    kind                      TEXT NOT NULL CHECK (kind IN ('confidential', 'public')),
    secret_hash               BYTEA,
    auth_method               TEXT NOT NULL,
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    grant_types               TEXT NOT NULL,
    scopes                    TEXT NOT NULL,
    approved_claims           TEXT NOT NULL,
    id_token_alg              TEXT NOT NULL,
    sector                    TEXT NOT NULL,
    jwks                      TEXT,
    backchannel_logout_uri    TEXT,
    skip_consent              BOOLEAN NOT NULL,
    status                    TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    created_at                BIGINT NOT NULL,
    updated_at                BIGINT NOT NULL
);

-- Private keys sealed with a key derived from the master key. A retired key stays published
-- in the JWKS until `remove_after`, when every token it signed has expired.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    alg            TEXT NOT NULL,
    private_sealed BYTEA NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    retired_at     BIGINT,
    remove_after   BIGINT
);

-- A validated /authorize request waiting for the person to sign in or consent.
CREATE TABLE authz_requests (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients (id),
    params     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Authorization codes, by hash; single use. `grant_id` is set when exchanged, so a replay
-- can revoke what the first exchange issued.
CREATE TABLE auth_codes (
    code_hash  BYTEA PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES clients (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    details    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    grant_id   TEXT
);

-- A grant is one token family: everything issued from one code (or one exchange).
CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES clients (id),
    account_id  TEXT REFERENCES accounts (id),
    session_sid TEXT,
    details     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX grants_session ON grants (session_sid);
CREATE INDEX grants_account ON grants (account_id);

CREATE TABLE refresh_tokens (
    token_hash BYTEA PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES grants (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);

CREATE TABLE consents (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    client_id  TEXT NOT NULL REFERENCES clients (id),
    scope      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- Access tokens are JWTs checked offline; a revoked one is listed here until it expires.
CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
