//! SQL for finding civil servants (ASN accounts with a current NIP) by the criteria an HR system
//! filters on (SCIM). Each criterion is skipped when its parameter is NULL.

const STAFF_WHERE: &str = "FROM accounts a JOIN nip_records n ON n.account_id = a.id AND n.valid_to IS NULL \
     WHERE a.kind = 'asn' \
     AND ($1 IS NULL OR n.nip = $1) \
     AND ($2 IS NULL OR a.status = $2) \
     AND ($3 IS NULL OR a.opd_id = $3) \
     AND ($4 IS NULL OR (a.name_key >= $4 AND a.name_key < $5)) \
     AND ($6 IS NULL OR a.name_key = $6) \
     AND ($7 IS NULL OR a.id = $7)";

pub fn find_staff() -> String {
    format!("SELECT a.id {STAFF_WHERE} ORDER BY a.id LIMIT $8 OFFSET $9")
}

pub fn count_staff() -> String {
    format!("SELECT COUNT(*) {STAFF_WHERE}")
}

/// The current NIP of an account.
pub const CURRENT_NIP: &str = "SELECT nip FROM nip_records WHERE account_id = $1 AND valid_to IS NULL";
