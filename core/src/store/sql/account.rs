//! SQL for accounts, their NIP and NIK records, roles and password credentials.

pub const INSERT_ACCOUNT: &str = "INSERT INTO accounts (id, kind, display_name, status, created_at, updated_at, name_key, opd_id, assurance) \
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)";

pub const SELECT_ACCOUNT: &str = "SELECT id, kind, display_name, status, assurance, opd_id, disabled_by, created_at, updated_at FROM accounts WHERE id = $1";

pub const UPDATE_STATUS: &str = "UPDATE accounts SET status = $2, updated_at = $3, disabled_by = $4 WHERE id = $1";

pub const UPDATE_NAME: &str = "UPDATE accounts SET display_name = $2, name_key = $4, updated_at = $3 WHERE id = $1";

pub const UPDATE_OPD: &str = "UPDATE accounts SET opd_id = $2, updated_at = $3 WHERE id = $1";

/// Keyset pagination on the id (no OFFSET), with the current NIP when there is one.
pub const LIST_ACCOUNTS: &str = "SELECT a.id, a.kind, a.display_name, a.status, n.nip, k.nik_sealed, a.opd_id, a.name_key \
     FROM accounts a \
     LEFT JOIN nip_records n ON n.account_id = a.id AND n.valid_to IS NULL \
     LEFT JOIN nik_records k ON k.account_id = a.id \
     WHERE a.id > $1 ORDER BY a.id LIMIT $2";

/// Prefix search on the lower-case name, paged by (name_key, id): one index range, no OFFSET.
/// `$1` is the prefix, `$2` the prefix's upper bound, `$3`/`$4` the last row seen.
pub const SEARCH_BY_NAME: &str = "SELECT a.id, a.kind, a.display_name, a.status, n.nip, k.nik_sealed, a.opd_id, a.name_key \
     FROM accounts a \
     LEFT JOIN nip_records n ON n.account_id = a.id AND n.valid_to IS NULL \
     LEFT JOIN nik_records k ON k.account_id = a.id \
     WHERE a.name_key >= $1 AND a.name_key < $2 AND (a.name_key > $3 OR (a.name_key = $3 AND a.id > $4)) \
     ORDER BY a.name_key, a.id LIMIT $5";

pub const COUNT_ACCOUNTS: &str = "SELECT COUNT(*) FROM accounts";

pub const INSERT_ROLE: &str =
    "INSERT INTO account_roles (account_id, role) VALUES ($1, $2) ON CONFLICT (account_id, role) DO NOTHING";

pub const DELETE_ROLE: &str = "DELETE FROM account_roles WHERE account_id = $1 AND role = $2";

pub const SELECT_ROLES: &str = "SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role";

pub const INSERT_NIP: &str =
    "INSERT INTO nip_records (account_id, nip, jenis_pegawai, valid_from) VALUES ($1, $2, $3, $4)";

pub const END_CURRENT_NIP: &str = "UPDATE nip_records SET valid_to = $2 WHERE account_id = $1 AND valid_to IS NULL";

pub const SELECT_CURRENT_NIP_OWNER: &str = "SELECT account_id FROM nip_records WHERE nip = $1 AND valid_to IS NULL";

/// Every account that ever held the NIP (a NIP is never reissued to another person).
pub const SELECT_NIP_OWNERS_EVER: &str = "SELECT DISTINCT account_id FROM nip_records WHERE nip = $1";

pub const SELECT_NIP_HISTORY: &str = "SELECT nip, jenis_pegawai, valid_from, valid_to FROM nip_records \
     WHERE account_id = $1 ORDER BY valid_from DESC, id DESC";

pub const INSERT_NIK: &str = "INSERT INTO nik_records (account_id, nik_index, nik_sealed) VALUES ($1, $2, $3)";

pub const SELECT_NIK_OWNER: &str = "SELECT account_id FROM nik_records WHERE nik_index = $1";

pub const SELECT_NIK_SEALED: &str = "SELECT nik_sealed FROM nik_records WHERE account_id = $1";

pub const UPSERT_PASSWORD: &str = "INSERT INTO password_credentials (account_id, phc, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (account_id) DO UPDATE SET phc = excluded.phc, updated_at = excluded.updated_at";

pub const SELECT_PASSWORD: &str = "SELECT phc FROM password_credentials WHERE account_id = $1";
