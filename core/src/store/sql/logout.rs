//! SQL for the back-channel logout outbox.

/// The logouts owed for one session: one per client that got tokens from it and registered a
/// back-channel logout URI.
pub const ENQUEUE_SESSION: &str = "INSERT INTO logout_outbox (sid, client_id, account_id, created_at, next_attempt_at) \
     SELECT DISTINCT g.session_sid, g.client_id, g.account_id, $2, $2 FROM grants g \
     JOIN clients c ON c.id = g.client_id \
     WHERE g.session_sid = $1 AND g.account_id IS NOT NULL AND c.backchannel_logout_uri IS NOT NULL \
     ON CONFLICT (sid, client_id) DO NOTHING";

/// The logouts owed for every live session of an account (before the sessions are deleted).
pub const ENQUEUE_ACCOUNT: &str = "INSERT INTO logout_outbox (sid, client_id, account_id, created_at, next_attempt_at) \
     SELECT DISTINCT g.session_sid, g.client_id, g.account_id, $2, $2 FROM grants g \
     JOIN clients c ON c.id = g.client_id \
     JOIN sessions s ON s.sid = g.session_sid AND s.account_id = $1 \
     WHERE g.account_id = $1 AND c.backchannel_logout_uri IS NOT NULL \
     ON CONFLICT (sid, client_id) DO NOTHING";

pub const SELECT_DUE: &str = "SELECT sid, client_id, account_id, attempts FROM logout_outbox \
     WHERE next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2";

pub const SELECT_DUE_FOR_SID: &str = "SELECT sid, client_id, account_id, attempts FROM logout_outbox \
     WHERE sid = $1 AND next_attempt_at <= $2";

/// Takes a row for one try: only if nobody took it since it was read (same attempts count).
pub const CLAIM: &str = "UPDATE logout_outbox SET attempts = attempts + 1, next_attempt_at = $4 \
     WHERE sid = $1 AND client_id = $2 AND attempts = $3";

pub const DELETE: &str = "DELETE FROM logout_outbox WHERE sid = $1 AND client_id = $2";

pub const COUNT: &str = "SELECT COUNT(*) FROM logout_outbox";
