//! SQL for OIDC clients.

macro_rules! columns {
    () => {
        "id, name, kind, secret_hash, auth_method, redirect_uris, post_logout_redirect_uris, grant_types, scopes, \
         approved_claims, id_token_alg, sector, jwks, backchannel_logout_uri, skip_consent, status, created_at, updated_at"
    };
}

pub const INSERT: &str = concat!(
    "INSERT INTO clients (",
    columns!(),
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)"
);

pub const SELECT_ONE: &str = concat!("SELECT ", columns!(), " FROM clients WHERE id = $1");

pub const LIST: &str = concat!("SELECT ", columns!(), " FROM clients WHERE id > $1 ORDER BY id LIMIT $2");

pub const UPDATE_STATUS: &str = "UPDATE clients SET status = $2, updated_at = $3 WHERE id = $1";

pub const UPDATE_SECRET: &str = "UPDATE clients SET secret_hash = $2, updated_at = $3 WHERE id = $1";

pub const UPDATE_URIS: &str =
    "UPDATE clients SET redirect_uris = $2, backchannel_logout_uri = $3, updated_at = $4 WHERE id = $1";

pub const UPDATE_APPLICATION: &str = "UPDATE clients SET application_id = $2, updated_at = $3 WHERE id = $1";

pub const UPDATE_GRANTS: &str = "UPDATE clients SET scopes = $2, approved_claims = $3, updated_at = $4 WHERE id = $1";

pub const SELECT_APPLICATION: &str = "SELECT application_id FROM clients WHERE id = $1";
