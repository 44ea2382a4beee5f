//! SQL for second factors (TOTP, recovery codes), throttling and sign-in history.

pub const UPSERT_PENDING_TOTP: &str = "INSERT INTO totp_credentials (account_id, secret_sealed, created_at, confirmed_at, last_step) \
     VALUES ($1, $2, $3, NULL, 0) \
     ON CONFLICT (account_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, created_at = excluded.created_at, \
     confirmed_at = NULL, last_step = 0";

pub const SELECT_TOTP: &str =
    "SELECT account_id, secret_sealed, created_at, confirmed_at, last_step FROM totp_credentials WHERE account_id = $1";

pub const CONFIRM_TOTP: &str =
    "UPDATE totp_credentials SET confirmed_at = $2 WHERE account_id = $1 AND confirmed_at IS NULL";

/// Accepts a step only above the last one used: a code works once, on any replica.
pub const USE_TOTP_STEP: &str = "UPDATE totp_credentials SET last_step = $2 WHERE account_id = $1 AND last_step < $2";

pub const DELETE_TOTP: &str = "DELETE FROM totp_credentials WHERE account_id = $1";

pub const DELETE_RECOVERY_CODES: &str = "DELETE FROM recovery_codes WHERE account_id = $1";

pub const INSERT_RECOVERY_CODE: &str =
    "INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)";

pub const USE_RECOVERY_CODE: &str =
    "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL";

pub const COUNT_RECOVERY_CODES: &str = "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL";

/// Counts a failure in the current window (a new window when the last one is older than $3).
pub const RECORD_FAILURE: &str = "INSERT INTO login_throttle (key, failures, window_start, locked_until) VALUES ($1, 1, $2, 0) \
     ON CONFLICT (key) DO UPDATE SET \
     failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END, \
     window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END \
     RETURNING failures";

/// Locks the key and starts a fresh count, so the lock's end gives a full allowance again.
pub const LOCK: &str = "UPDATE login_throttle SET locked_until = $2, failures = 0, window_start = $3 WHERE key = $1";

pub const SELECT_LOCKED_UNTIL: &str = "SELECT locked_until FROM login_throttle WHERE key = $1";

pub const CLEAR: &str = "DELETE FROM login_throttle WHERE key = $1";

pub const INSERT_SIGN_IN: &str = "INSERT INTO sign_ins (account_id, at, method, result, source_ip, user_agent) \
     VALUES ($1, $2, $3, $4, $5, $6)";

pub const RECENT_SIGN_INS: &str = "SELECT at, method, result, source_ip, user_agent FROM sign_ins \
     WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2";
