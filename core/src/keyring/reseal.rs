//! Rewriting the stored secrets under the current data-key generation (after a master-key
//! rotation): NIKs and their blind indexes, the NIKs of registrations waiting for a code, TOTP
//! secrets, and the IdP's private signing keys.
//!
//! It goes through each table in pages of [`PAGE`] rows, one transaction per page, and replaces a
//! value only if it is still the one read (a value changed meanwhile was written under the
//! current generation anyway). It can be stopped and run again: what is done is skipped.

use crate::crypto::{Keys, Sealer};
use crate::store::{KeyringStore, SealedKind, Store, StoreError};

pub const PAGE: i64 = 500;

/// What happened to the values of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResealCount {
    pub checked: u64,
    pub rewritten: u64,
    /// Values that did not open (tampered or sealed by a generation no longer known): left as
    /// they are, and logged.
    pub unreadable: u64,
}

impl SealedKind {
    pub fn label(self) -> &'static str {
        match self {
            SealedKind::Nik => "NIK",
            SealedKind::PendingNik => "NIK pendaftaran / pending registration NIK",
            SealedKind::Totp => "TOTP",
            SealedKind::SigningKey => "kunci penandatangan / signing key",
        }
    }
}

fn sealer(keys: &Keys, kind: SealedKind) -> &Sealer {
    match kind {
        SealedKind::Nik | SealedKind::PendingNik => &keys.nik_sealer,
        SealedKind::Totp => &keys.totp_sealer,
        SealedKind::SigningKey => &keys.signing_key_sealer,
    }
}

/// Rewrites every value of `kind` not sealed (or indexed) under the current generation.
/// `progress` is called after each page with the running count.
pub async fn reseal(
    store: &Store,
    keys: &Keys,
    kind: SealedKind,
    mut progress: impl FnMut(&ResealCount),
) -> Result<ResealCount, StoreError> {
    let sealer = sealer(keys, kind);
    let mut count = ResealCount::default();
    let mut after = String::new();
    loop {
        let page = store.conn().await?.sealed_page(kind, &after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.owner.clone();
        let mut tx = store.begin().await?;
        for row in &page {
            count.checked += 1;
            let clear = match sealer.open(&row.sealed, row.owner.as_bytes()) {
                Ok(clear) => clear,
                Err(e) => {
                    count.unreadable += 1;
                    tracing::warn!(kind = ?kind, owner = %row.owner, error = %e, "sealed value left as it is");
                    continue;
                }
            };
            let index = if kind.indexed() { keys.nik_index.index(&clear) } else { Vec::new() };
            let current = Sealer::generation_of(&row.sealed) == Some(sealer.current_generation());
            if current && index == row.index {
                continue;
            }
            let sealed = sealer.seal(&clear, row.owner.as_bytes());
            if tx.replace_sealed(kind, &row.owner, &row.sealed, &index, &sealed).await? {
                count.rewritten += 1;
            }
        }
        tx.commit().await?;
        progress(&count);
    }
    Ok(count)
}
