//! SQL for grants (token families), refresh tokens and revoked access tokens.

pub const INSERT_GRANT: &str = "INSERT INTO grants (id, client_id, account_id, session_sid, details, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub const SELECT_GRANT: &str = "SELECT id, client_id, account_id, session_sid, details, created_at, expires_at, revoked_at \
     FROM grants WHERE id = $1";

pub const REVOKE_GRANT: &str = "UPDATE grants SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";

pub const REVOKE_SESSION_GRANTS: &str =
    "UPDATE grants SET revoked_at = $2 WHERE session_sid = $1 AND revoked_at IS NULL";

pub const REVOKE_ACCOUNT_GRANTS: &str =
    "UPDATE grants SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL";

pub const SELECT_SESSION_CLIENTS: &str = "SELECT DISTINCT client_id FROM grants WHERE session_sid = $1";

pub const INSERT_REFRESH: &str =
    "INSERT INTO refresh_tokens (token_hash, grant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";

pub const SELECT_REFRESH: &str =
    "SELECT token_hash, grant_id, created_at, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1";

pub const USE_REFRESH: &str = "UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL";

pub const INSERT_REVOKED: &str =
    "INSERT INTO revoked_tokens (jti, expires_at, revoked_at) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING";

/// Revoked access tokens listed since `$1` and not yet expired at `$2` (the client assertions
/// kept against replay share the table, and are left out). Rows with `revoked_at` 0 are read
/// every time: those from before migration 0010, or written by a replica of the previous
/// version during a rolling upgrade.
pub const SELECT_REVOKED_SINCE: &str = "SELECT jti, expires_at FROM revoked_tokens \
     WHERE (revoked_at >= $1 OR revoked_at = 0) AND expires_at > $2 AND jti NOT LIKE 'assertion:%'";

pub const SELECT_REVOKED: &str = "SELECT 1 FROM revoked_tokens WHERE jti = $1";

pub const DELETE_EXPIRED_REVOKED: &str = "DELETE FROM revoked_tokens WHERE expires_at <= $1";
