//! SQL for passkeys, WebAuthn user handles and ceremony state.

pub const SELECT_USER_UUID: &str = "SELECT user_uuid FROM webauthn_users WHERE account_id = $1";

pub const INSERT_USER_UUID: &str =
    "INSERT INTO webauthn_users (account_id, user_uuid) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING";

pub const SELECT_ACCOUNT_BY_UUID: &str = "SELECT account_id FROM webauthn_users WHERE user_uuid = $1";

pub const INSERT_PASSKEY: &str =
    "INSERT INTO passkeys (cred_id, account_id, name, passkey, created_at) VALUES ($1, $2, $3, $4, $5)";

pub const SELECT_ACCOUNT_PASSKEYS: &str = "SELECT cred_id, account_id, name, passkey, created_at, last_used_at \
     FROM passkeys WHERE account_id = $1 ORDER BY created_at, cred_id";

pub const SELECT_PASSKEY: &str =
    "SELECT cred_id, account_id, name, passkey, created_at, last_used_at FROM passkeys WHERE cred_id = $1";

pub const UPDATE_PASSKEY_USE: &str = "UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE cred_id = $1";

pub const RENAME_PASSKEY: &str = "UPDATE passkeys SET name = $3 WHERE cred_id = $1 AND account_id = $2";

pub const DELETE_PASSKEY: &str = "DELETE FROM passkeys WHERE cred_id = $1 AND account_id = $2";

pub const INSERT_CEREMONY: &str =
    "INSERT INTO webauthn_ceremonies (id, kind, account_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)";

pub const SELECT_CEREMONY: &str =
    "SELECT id, kind, account_id, state, expires_at FROM webauthn_ceremonies WHERE id = $1 AND expires_at > $2";

pub const DELETE_CEREMONY: &str = "DELETE FROM webauthn_ceremonies WHERE id = $1";

pub const DELETE_EXPIRED_CEREMONIES: &str = "DELETE FROM webauthn_ceremonies WHERE expires_at <= $1";
