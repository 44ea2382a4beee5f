//! SQL for pending authorization requests, authorization codes and consents.

pub const INSERT_REQUEST: &str =
    "INSERT INTO authz_requests (id, client_id, params, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

pub const SELECT_REQUEST: &str =
    "SELECT id, client_id, params, created_at, expires_at FROM authz_requests WHERE id = $1 AND expires_at > $2";

pub const DELETE_REQUEST: &str = "DELETE FROM authz_requests WHERE id = $1";

pub const INSERT_CODE: &str = "INSERT INTO auth_codes (code_hash, client_id, account_id, details, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6)";

pub const SELECT_CODE: &str = "SELECT code_hash, client_id, account_id, details, created_at, expires_at, used_at, grant_id \
     FROM auth_codes WHERE code_hash = $1";

/// Claims the code; only one caller can ever see one row affected.
pub const USE_CODE: &str = "UPDATE auth_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL";

pub const SET_CODE_GRANT: &str = "UPDATE auth_codes SET grant_id = $2 WHERE code_hash = $1";

pub const UPSERT_CONSENT: &str = "INSERT INTO consents (account_id, client_id, scope, created_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (account_id, client_id) DO UPDATE SET scope = excluded.scope, created_at = excluded.created_at";

pub const SELECT_CONSENT: &str = "SELECT scope FROM consents WHERE account_id = $1 AND client_id = $2";

pub const DELETE_EXPIRED_REQUESTS: &str = "DELETE FROM authz_requests WHERE expires_at <= $1";

pub const DELETE_EXPIRED_CODES: &str = "DELETE FROM auth_codes WHERE expires_at <= $1";
