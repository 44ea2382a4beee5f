//! SQL of the account lifecycle: assurance, contacts, pending registrations, one-time codes,
//! spent challenges and inactivity.

pub const UPDATE_ASSURANCE: &str = "UPDATE accounts SET assurance = $2, updated_at = $3 WHERE id = $1";

pub const INSERT_ASSURANCE_EVENT: &str = "INSERT INTO assurance_events (account_id, assurance, method, actor, place, note, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub const SELECT_ASSURANCE_EVENTS: &str = "SELECT assurance, method, actor, place, note, at FROM assurance_events \
     WHERE account_id = $1 ORDER BY at DESC, id DESC";

pub const UPSERT_CONTACT: &str = "INSERT INTO contacts (account_id, channel, address, verified_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (account_id, channel) DO UPDATE SET address = excluded.address, verified_at = excluded.verified_at";

pub const DELETE_CONTACT: &str = "DELETE FROM contacts WHERE account_id = $1 AND channel = $2";

pub const SELECT_CONTACTS: &str =
    "SELECT channel, address, verified_at FROM contacts WHERE account_id = $1 ORDER BY channel";

pub const INSERT_PENDING: &str = "INSERT INTO pending_registrations \
     (id, nik_index, nik_sealed, display_name, email, phone, phc, source_ip, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub const SELECT_PENDING: &str = "SELECT id, nik_index, nik_sealed, display_name, email, phone, phc, source_ip, created_at, expires_at \
     FROM pending_registrations WHERE id = $1 AND expires_at > $2";

pub const DELETE_PENDING: &str = "DELETE FROM pending_registrations WHERE id = $1";

pub const PURGE_PENDING: &str = "DELETE FROM pending_registrations WHERE expires_at <= $1";

pub const INSERT_CODE: &str = "INSERT INTO one_time_codes \
     (id, purpose, subject, channel, address, code_hash, attempts, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)";

const CODE_COLUMNS: &str =
    "id, purpose, subject, channel, address, code_hash, attempts, created_at, expires_at, used_at";

pub fn select_code() -> String {
    format!("SELECT {CODE_COLUMNS} FROM one_time_codes WHERE id = $1")
}

/// The newest code of a subject, purpose and channel.
pub fn select_latest_code() -> String {
    format!(
        "SELECT {CODE_COLUMNS} FROM one_time_codes WHERE subject = $1 AND purpose = $2 AND channel = $3 \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    )
}

pub const COUNT_CODES_SINCE: &str =
    "SELECT COUNT(*) FROM one_time_codes WHERE subject = $1 AND purpose = $2 AND created_at >= $3";

pub const BUMP_CODE_ATTEMPTS: &str =
    "UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1 AND used_at IS NULL RETURNING attempts";

/// Marks a code used; no row when it was used already (two requests racing with one code).
pub const USE_CODE: &str = "UPDATE one_time_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL";

/// Ends every unused code of a subject and purpose (a new one replaces them, or the flow is over).
pub const RETIRE_CODES: &str =
    "UPDATE one_time_codes SET used_at = $3 WHERE subject = $1 AND purpose = $2 AND used_at IS NULL";

/// Codes are kept a day after they expire (for the audit of a dispute), then removed.
pub const PURGE_CODES: &str = "DELETE FROM one_time_codes WHERE expires_at <= $1";

pub const SPEND_CHALLENGE: &str =
    "INSERT INTO spent_challenges (hash, expires_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING";

pub const PURGE_CHALLENGES: &str = "DELETE FROM spent_challenges WHERE expires_at <= $1";

/// Active accounts made before `$1` with no sign-in since `$1` and no notice pending.
pub const SELECT_INACTIVE: &str = "SELECT a.id FROM accounts a WHERE a.status = 'active' \
     AND a.inactivity_notice_at IS NULL AND a.created_at < $1 \
     AND NOT EXISTS (SELECT 1 FROM sign_ins s WHERE s.account_id = a.id AND s.result = 'ok' AND s.at >= $1) \
     ORDER BY a.id LIMIT $2";

/// Active accounts noticed at or before `$1` that have not signed in since the notice.
pub const SELECT_NOTICE_EXPIRED: &str = "SELECT a.id FROM accounts a WHERE a.status = 'active' \
     AND a.inactivity_notice_at IS NOT NULL AND a.inactivity_notice_at <= $1 \
     AND NOT EXISTS (SELECT 1 FROM sign_ins s WHERE s.account_id = a.id AND s.result = 'ok' \
                     AND s.at >= a.inactivity_notice_at) \
     ORDER BY a.id LIMIT $2";

pub const SET_INACTIVITY_NOTICE: &str = "UPDATE accounts SET inactivity_notice_at = $2 WHERE id = $1";

/// Forgets the notices of accounts that signed in after receiving one.
pub const CLEAR_ANSWERED_NOTICES: &str = "UPDATE accounts SET inactivity_notice_at = NULL \
     WHERE inactivity_notice_at IS NOT NULL AND EXISTS (SELECT 1 FROM sign_ins s WHERE s.account_id = accounts.id \
     AND s.result = 'ok' AND s.at >= accounts.inactivity_notice_at)";
