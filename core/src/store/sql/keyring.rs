//! SQL for the data keys and their wrappings, and for rewriting sealed values under a new key.

pub const SELECT_KEYS: &str =
    "SELECT generation, state, created_at, retired_at, rotate_to FROM data_keys ORDER BY generation";

pub const SELECT_WRAPS: &str = "SELECT generation, wrapped FROM data_key_wraps WHERE master_check = $1";

pub const INSERT_KEY: &str = "INSERT INTO data_keys (generation, state, created_at, rotate_to) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (generation) DO NOTHING";

pub const INSERT_WRAP: &str = "INSERT INTO data_key_wraps (generation, master_check, wrapped) VALUES ($1, $2, $3) \
     ON CONFLICT (generation, master_check) DO NOTHING";

pub const SET_STATE: &str = "UPDATE data_keys SET state = $2, retired_at = $3, rotate_to = NULL WHERE generation = $1";

pub const DELETE_OTHER_WRAPS: &str = "DELETE FROM data_key_wraps WHERE master_check <> $1";

/// Sealed values with a blind index beside them: (owner, index, sealed), by owner.
pub const PAGE_NIKS: &str =
    "SELECT account_id, nik_index, nik_sealed FROM nik_records WHERE account_id > $1 ORDER BY account_id LIMIT $2";
pub const REPLACE_NIK: &str =
    "UPDATE nik_records SET nik_index = $3, nik_sealed = $4 WHERE account_id = $1 AND nik_sealed = $2";
pub const PAGE_PENDING_NIKS: &str = "SELECT id, nik_index, nik_sealed FROM pending_registrations \
     WHERE id > $1 ORDER BY id LIMIT $2";
pub const REPLACE_PENDING_NIK: &str =
    "UPDATE pending_registrations SET nik_index = $3, nik_sealed = $4 WHERE id = $1 AND nik_sealed = $2";

/// Sealed values alone: (owner, sealed), by owner.
pub const PAGE_TOTP: &str =
    "SELECT account_id, secret_sealed FROM totp_credentials WHERE account_id > $1 ORDER BY account_id LIMIT $2";
pub const REPLACE_TOTP: &str =
    "UPDATE totp_credentials SET secret_sealed = $3 WHERE account_id = $1 AND secret_sealed = $2";
pub const PAGE_SIGNING_KEYS: &str = "SELECT kid, private_sealed FROM signing_keys WHERE kid > $1 ORDER BY kid LIMIT $2";
pub const REPLACE_SIGNING_KEY: &str =
    "UPDATE signing_keys SET private_sealed = $3 WHERE kid = $1 AND private_sealed = $2";
