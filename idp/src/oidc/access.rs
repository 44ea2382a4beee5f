//! Checking an access token presented to us: signature and expiry, then revocation (its own
//! `jti`, from the replica's set of revoked tokens, or the grant it belongs to).

use gerbang_core::store::{GrantRecord, GrantStore, StoreError, now_unix};

use super::tokens::AccessClaims;
use crate::state::AppState;

pub enum Checked {
    Active(Box<AccessClaims>, Option<GrantRecord>),
    Inactive,
}

pub async fn check(state: &AppState, token: &str) -> Result<Checked, StoreError> {
    let Ok(claims) = state.issuer.verify_access(token) else { return Ok(Checked::Inactive) };
    let revoked = match state.revoked.is_revoked(&claims.jti) {
        Some(known) => known,
        None => state.store.conn().await?.jti_revoked(&claims.jti).await?,
    };
    if revoked {
        return Ok(Checked::Inactive);
    }
    let grant = match &claims.gid {
        Some(gid) => match state.store.conn().await?.grant(gid).await? {
            Some(g) if g.revoked_at.is_none() && g.expires_at > now_unix() => Some(g),
            _ => return Ok(Checked::Inactive),
        },
        None => None,
    };
    Ok(Checked::Active(Box::new(claims), grant))
}
