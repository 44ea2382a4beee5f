//! Subjects and claims: a stable opaque `sub` for ASN, a pairwise `sub` per sector for citizens
//! (so two services cannot correlate a citizen by `sub`), and the claims each scope releases.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gerbang_core::crypto::Keys;
use gerbang_core::store::{Account, AccountKind};
use serde_json::{Map, Value, json};

use super::client::Client;
use crate::accounts::{AccountError, AccountService};

/// The `sub` this client sees for this account.
pub fn subject(keys: &Keys, account: &Account, client: &Client) -> String {
    match account.kind {
        AccountKind::Asn => account.id.clone(),
        // OIDC Core §8.1: sector identifier + local id, hashed with a secret key.
        AccountKind::Warga => {
            let mut input = client.sector.as_bytes().to_vec();
            input.push(0);
            input.extend_from_slice(account.id.as_bytes());
            URL_SAFE_NO_PAD.encode(&keys.pairwise.index(&input)[..18])
        }
    }
}

/// Claims whose release a Wali Data decides (Pasal 12(6)); each release is audited.
const STEWARDED: &[&str] = &["nik", "nip", "opd", "roles"];

/// The claims `scopes` release about `account` to `client`. A release of stewarded claims is
/// written to the audit log (actor: the client; target: the account; `via` names the channel,
/// `id_token` or `userinfo`) before the claims leave.
pub async fn user_claims(
    accounts: &AccountService,
    account: &Account,
    client: &Client,
    scopes: &[String],
    via: &str,
) -> Result<Map<String, Value>, AccountError> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut claims = Map::new();
    let view = accounts.view(&account.id).await?;
    // How well the identity is proven travels with every sign-in: a level may require it.
    claims.insert("identity_assurance".into(), json!(account.assurance.as_str()));
    if has("profile") {
        claims.insert("name".into(), json!(account.display_name));
    }
    if has("nip")
        && let Some(nip) = &view.nip
    {
        claims.insert("nip".into(), json!(nip));
        claims.insert("jenis_pegawai".into(), json!(view.jenis_pegawai));
        // The agency travels with the NIP: the same data group (kepegawaian), the same steward.
        if let Some(opd) = &account.opd_id {
            claims.insert("opd".into(), json!(opd));
        }
    }
    if has("nik")
        && client.approved_claims.iter().any(|c| c == "nik")
        && account.kind == AccountKind::Warga
        && let Some(nik) = accounts.nik_of(&account.id).await?
    {
        claims.insert("nik".into(), json!(nik.expose()));
    }
    if has("roles") {
        claims.insert("roles".into(), json!(view.roles));
    }
    let released: Vec<&str> = STEWARDED.iter().copied().filter(|c| claims.contains_key(*c)).collect();
    if !released.is_empty() {
        accounts.audit_release(&account.id, &client.id, &released, via).await?;
    }
    Ok(claims)
}
