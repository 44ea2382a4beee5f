//! Step-up: whether the session reaches the level a client asked for in `acr_values`, and if not,
//! what is missing. Levels come from `policies/levels.toml`; the person is asked only for what
//! they lack (OIDC Core §3.1.2.1 `acr_values`, with `max_age` freshness).

use gerbang_core::policy::{AuthFacts, Levels, Subjects};
use gerbang_core::store::{Account, AccountKind, Assurance, Session, now_unix};

use super::request::AuthorizeRequest;
use crate::http::error::PageError;
use crate::state::AppState;

pub enum Step {
    /// No level asked for, or the session reaches it.
    Satisfied,
    /// The methods are there, but the sign-in is too old for the level.
    FreshSignIn,
    /// A TOTP code (or recovery code) or a passkey would lift the session to the level.
    SecondFactor,
    /// This account cannot reach the level (a citizen asking for an ASN level, no second factor
    /// enrolled): the code is issued with the level reached, and the client decides.
    Unreachable,
}

pub async fn next_step(
    state: &AppState,
    req: &AuthorizeRequest,
    session: &Session,
    account: &Account,
) -> Result<Step, PageError> {
    // The first value the provider knows, in the client's order of preference.
    let Some(target) = req.acr_values.iter().find_map(|v| state.levels.get(v)) else { return Ok(Step::Satisfied) };
    let amr: Vec<&str> = session.amr.split(' ').filter(|m| !m.is_empty()).collect();
    let is_asn = account.kind == AccountKind::Asn;
    let verified = account.assurance == Assurance::Terverifikasi;
    let facts = AuthFacts { is_asn, amr: &amr, auth_age: now_unix() - session.auth_time, verified };
    let achieved = state.levels.achieved(&facts);
    let reached = state.levels.rank(&achieved.id) >= state.levels.rank(&target.id);
    if reached || Levels::satisfies(target, &facts) {
        return Ok(Step::Satisfied);
    }
    // No sign-in proves an identity: that takes a verifikator (a counter visit).
    if (target.subjects == Subjects::Asn && !is_asn) || (target.needs_verified_identity() && !verified) {
        return Ok(Step::Unreachable);
    }
    let fresh = target.max_auth_age.is_none_or(|max| facts.auth_age <= max);
    let has_totp = crate::factors::status(&state.store, &account.id).await?.totp;
    let has_passkey = state.passkeys.enabled() && !state.passkeys.list(&account.id).await?.is_empty();
    for set in &target.factors {
        let missing: Vec<&str> = set.iter().map(String::as_str).filter(|m| !amr.contains(m)).collect();
        match missing.as_slice() {
            [] => return Ok(if fresh { Step::Satisfied } else { Step::FreshSignIn }),
            ["otp"] if has_totp => return Ok(if fresh { Step::SecondFactor } else { Step::FreshSignIn }),
            ["hwk"] if has_passkey => return Ok(if fresh { Step::SecondFactor } else { Step::FreshSignIn }),
            _ => {}
        }
    }
    Ok(Step::Unreachable)
}
