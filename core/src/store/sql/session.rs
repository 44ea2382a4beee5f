//! SQL for IdP login sessions.

pub const INSERT_SESSION: &str = "INSERT INTO sessions \
     (id_hash, account_id, amr, auth_time, created_at, expires_at, user_agent, source_ip, sid) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

pub const SELECT_LIVE_SESSION: &str = "SELECT id_hash, account_id, amr, auth_time, created_at, expires_at, user_agent, source_ip, sid \
     FROM sessions WHERE id_hash = $1 AND expires_at > $2";

pub const DELETE_SESSION: &str = "DELETE FROM sessions WHERE id_hash = $1";

pub const DELETE_ACCOUNT_SESSIONS: &str = "DELETE FROM sessions WHERE account_id = $1";

pub const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";

pub const ACCOUNT_SESSIONS: &str = "SELECT id_hash, account_id, amr, auth_time, created_at, expires_at, user_agent, source_ip, sid \
     FROM sessions WHERE account_id = $1 AND expires_at > $2 ORDER BY created_at DESC";

pub const UPDATE_SESSION_AUTH: &str = "UPDATE sessions SET amr = $2, auth_time = $3 WHERE id_hash = $1";
