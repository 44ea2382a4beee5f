//! SQL for the city's registers: OPDs, applications and their documents, domains, networks,
//! data groups and the claims each group owns.

pub const INSERT_OPD: &str = "INSERT INTO opds (id, name, kind, status, name_key, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6)";
pub const UPDATE_OPD: &str =
    "UPDATE opds SET name = $2, kind = $3, status = $4, name_key = $5, updated_at = $6 WHERE id = $1";
pub const SELECT_OPD: &str = "SELECT id, name, kind, status, name_key, created_at, updated_at FROM opds WHERE id = $1";
/// Prefix search on the name (or every row with an empty prefix), paged by (name_key, id).
pub const SEARCH_OPDS: &str = "SELECT id, name, kind, status, name_key, created_at, updated_at FROM opds \
     WHERE name_key >= $1 AND name_key < $2 AND (name_key > $3 OR (name_key = $3 AND id > $4)) \
     ORDER BY name_key, id LIMIT $5";

pub const INSERT_APPLICATION: &str = "INSERT INTO applications (id, name, kind, opd_id, funding, funding_note, \
     city_copyright, onboarding, url, description, name_key, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)";
pub const UPDATE_APPLICATION: &str = "UPDATE applications SET name = $2, kind = $3, opd_id = $4, funding = $5, \
     funding_note = $6, city_copyright = $7, onboarding = $8, url = $9, description = $10, name_key = $11, \
     updated_at = $12 WHERE id = $1";
macro_rules! app_columns {
    () => {
        "id, name, kind, opd_id, funding, funding_note, city_copyright, onboarding, url, description, name_key, \
         created_at, updated_at"
    };
}
pub const SELECT_APPLICATION: &str = concat!("SELECT ", app_columns!(), " FROM applications WHERE id = $1");
pub const SEARCH_APPLICATIONS: &str = concat!(
    "SELECT ",
    app_columns!(),
    " FROM applications WHERE name_key >= $1 AND name_key < $2 AND (name_key > $3 OR (name_key = $3 AND id > $4)) \
     AND ($6 = '' OR opd_id = $6) ORDER BY name_key, id LIMIT $5"
);

pub const SELECT_DOCS: &str = "SELECT application_id, item, link, file_name, file_sha256, checked_by, checked_at, \
     updated_at FROM application_docs WHERE application_id = $1 ORDER BY item";
pub const UPSERT_DOC_LINK: &str = "INSERT INTO application_docs (application_id, item, link, file_name, file_sha256, \
     file_data, checked_by, checked_at, updated_at) VALUES ($1, $2, $3, NULL, NULL, NULL, NULL, NULL, $4) \
     ON CONFLICT (application_id, item) DO UPDATE SET link = excluded.link, file_name = NULL, file_sha256 = NULL, \
     file_data = NULL, checked_by = NULL, checked_at = NULL, updated_at = excluded.updated_at";
pub const UPSERT_DOC_FILE: &str = "INSERT INTO application_docs (application_id, item, link, file_name, file_sha256, \
     file_data, checked_by, checked_at, updated_at) VALUES ($1, $2, NULL, $3, $4, $5, NULL, NULL, $6) \
     ON CONFLICT (application_id, item) DO UPDATE SET link = NULL, file_name = excluded.file_name, \
     file_sha256 = excluded.file_sha256, file_data = excluded.file_data, checked_by = NULL, checked_at = NULL, \
     updated_at = excluded.updated_at";
pub const CHECK_DOC: &str =
    "UPDATE application_docs SET checked_by = $3, checked_at = $4 WHERE application_id = $1 AND item = $2";
pub const SELECT_DOC_FILE: &str = "SELECT file_name, file_data FROM application_docs WHERE application_id = $1 AND item = $2 AND file_data IS NOT NULL";

macro_rules! domain_columns {
    () => {
        "name, opd_id, decree_number, decree_date, status, note, created_at, updated_at"
    };
}
pub const INSERT_DOMAIN: &str = "INSERT INTO domains (name, opd_id, decree_number, decree_date, status, note, \
     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
pub const UPDATE_DOMAIN: &str = "UPDATE domains SET opd_id = $2, decree_number = $3, decree_date = $4, status = $5, \
     note = $6, updated_at = $7 WHERE name = $1";
pub const SELECT_DOMAIN: &str = concat!("SELECT ", domain_columns!(), " FROM domains WHERE name = $1");
pub const SEARCH_DOMAINS: &str = concat!(
    "SELECT ",
    domain_columns!(),
    " FROM domains WHERE name >= $1 AND name < $2 AND name > $3 ORDER BY name LIMIT $4"
);
pub const ACTIVE_DOMAIN_NAMES: &str = "SELECT name FROM domains WHERE status = 'active' ORDER BY name";

macro_rules! network_columns {
    () => {
        "id, name, opd_id, cidrs, city, created_at, updated_at"
    };
}
pub const INSERT_NETWORK: &str = "INSERT INTO networks (id, name, opd_id, cidrs, city, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6)";
pub const UPDATE_NETWORK: &str =
    "UPDATE networks SET name = $2, opd_id = $3, cidrs = $4, city = $5, updated_at = $6 WHERE id = $1";
pub const SELECT_NETWORK: &str = concat!("SELECT ", network_columns!(), " FROM networks WHERE id = $1");
pub const LIST_NETWORKS: &str =
    concat!("SELECT ", network_columns!(), " FROM networks WHERE id > $1 ORDER BY id LIMIT $2");
pub const DELETE_NETWORK: &str = "DELETE FROM networks WHERE id = $1";

macro_rules! group_columns {
    () => {
        "id, letter, name, steward_id, decree_ref, appointed_at, updated_at"
    };
}
pub const LIST_GROUPS: &str = concat!("SELECT ", group_columns!(), " FROM data_groups ORDER BY letter");
pub const SELECT_GROUP: &str = concat!("SELECT ", group_columns!(), " FROM data_groups WHERE id = $1");
pub const SET_STEWARD: &str =
    "UPDATE data_groups SET steward_id = $2, decree_ref = $3, appointed_at = $4, updated_at = $4 WHERE id = $1";
pub const GROUPS_OF_STEWARD: &str =
    concat!("SELECT ", group_columns!(), " FROM data_groups WHERE steward_id = $1 ORDER BY letter");
pub const LIST_CLAIM_GROUPS: &str = "SELECT claim, data_group_id FROM claim_groups ORDER BY claim";
