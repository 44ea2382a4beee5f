//! SQL for the developer portal's client registrations and the stewards' claim decisions.

macro_rules! reg_columns {
    () => {
        "id, client_id, purpose, application_id, developer_id, name, kind, redirect_uris, backchannel_logout_uri, \
         scopes, secret_hash, logo_type, status, decided_by, decided_at, reason, created_at, updated_at"
    };
}

pub const INSERT: &str = concat!(
    "INSERT INTO client_registrations (",
    reg_columns!(),
    ", logo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18)"
);

pub const SELECT_ONE: &str = concat!("SELECT ", reg_columns!(), " FROM client_registrations WHERE id = $1");

/// Newest first, paged by (created_at, id); `$1`/`$2` empty means any status / any developer.
pub const LIST: &str = concat!(
    "SELECT ",
    reg_columns!(),
    " FROM client_registrations WHERE ($1 = '' OR status = $1) AND ($2 = '' OR developer_id = $2) \
     AND (created_at < $3 OR (created_at = $3 AND id < $4)) ORDER BY created_at DESC, id DESC LIMIT $5"
);

pub const FOR_CLIENT: &str = concat!(
    "SELECT ",
    reg_columns!(),
    " FROM client_registrations WHERE client_id = $1 ORDER BY created_at DESC, id DESC"
);

/// Only a pending registration can be decided, once.
pub const DECIDE: &str = "UPDATE client_registrations SET status = $2, decided_by = $3, reason = $4, decided_at = $5, \
     updated_at = $5 WHERE id = $1 AND status = 'pending'";

pub const SELECT_LOGO: &str =
    "SELECT logo_type, logo FROM client_registrations WHERE id = $1 AND logo IS NOT NULL AND logo_type IS NOT NULL";

pub const INSERT_CLAIM: &str = "INSERT INTO registration_claims (registration_id, claim, purpose, data_group_id, \
     decision, decided_by, decided_at, reason) VALUES ($1, $2, $3, $4, 'pending', NULL, NULL, '')";

macro_rules! claim_columns {
    () => {
        "rc.registration_id, rc.claim, rc.purpose, rc.data_group_id, rc.decision, rc.decided_by, rc.decided_at, rc.reason"
    };
}

pub const CLAIMS_OF: &str = concat!(
    "SELECT ",
    claim_columns!(),
    " FROM registration_claims rc WHERE rc.registration_id = $1 ORDER BY rc.claim"
);

/// Claims waiting for the decision of the steward `$1` (in the groups they steward), of
/// registrations that are not rejected or withdrawn.
pub const PENDING_FOR_STEWARD: &str = concat!(
    "SELECT ",
    claim_columns!(),
    " FROM registration_claims rc JOIN data_groups g ON g.id = rc.data_group_id \
     JOIN client_registrations r ON r.id = rc.registration_id \
     WHERE g.steward_id = $1 AND rc.decision = 'pending' AND r.status IN ('pending', 'approved') \
     ORDER BY rc.registration_id, rc.claim"
);

pub const DECIDE_CLAIM: &str = "UPDATE registration_claims SET decision = $3, decided_by = $4, reason = $5, \
     decided_at = $6 WHERE registration_id = $1 AND claim = $2 AND decision = 'pending'";
