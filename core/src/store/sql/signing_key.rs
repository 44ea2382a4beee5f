//! SQL for the IdP's signing keys.

pub const INSERT: &str =
    "INSERT INTO signing_keys (kid, alg, private_sealed, public_jwk, created_at) VALUES ($1, $2, $3, $4, $5)";

/// Keys still published: active, or retired but not yet past `remove_after`.
pub const SELECT_PUBLISHED: &str = "SELECT kid, alg, private_sealed, public_jwk, created_at, retired_at, remove_after \
     FROM signing_keys WHERE remove_after IS NULL OR remove_after > $1 ORDER BY created_at DESC, kid";

pub const RETIRE_ACTIVE: &str =
    "UPDATE signing_keys SET retired_at = $2, remove_after = $3 WHERE alg = $1 AND retired_at IS NULL";
