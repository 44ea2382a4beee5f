//! The keyring on both backends: an installation older than it keeps what it sealed, and a
//! master-key rotation in two steps ends with the old key opening nothing and every stored
//! secret rewritten under the new data key.

use gerbang_core::crypto::{Keys, MasterKey, Sealer};
use gerbang_core::keyring::reseal::reseal;
use gerbang_core::keyring::{DataKeys, KeyringError};
use gerbang_core::store::{
    AccountKind, AccountStore, Assurance, AuditStore, FactorStore, KeyringStore, MetaStore, NewAccount, SealedKind,
    SigningKeyRecord, SigningKeyStore, Store,
};

crate::on_both_backends!(
    an_installation_older_than_the_keyring_keeps_what_it_sealed,
    two_replicas_starting_at_once_share_one_first_generation,
    master_key_rotation_in_two_steps,
    finishing_without_grace_refuses_old_cookies_at_once,
);

const NIK: &[u8] = b"1374014101900001";

/// A citizen with a sealed NIK, a TOTP secret and a signing key, all sealed with `keys`.
async fn seed(store: &Store, keys: &Keys) {
    let mut tx = store.begin().await.unwrap();
    let a = NewAccount {
        id: "acct-1",
        kind: AccountKind::Warga,
        display_name: "Warga",
        opd_id: None,
        assurance: Assurance::Terdaftar,
        now: 1000,
    };
    tx.insert_account(&a).await.unwrap();
    tx.insert_nik("acct-1", &keys.nik_index.index(NIK), &keys.nik_sealer.seal(NIK, b"acct-1")).await.unwrap();
    tx.put_pending_totp("acct-1", &keys.totp_sealer.seal(b"totp-secret", b"acct-1"), 1000).await.unwrap();
    tx.insert_signing_key(&SigningKeyRecord {
        kid: "kid-1".into(),
        alg: "ES256".into(),
        private_sealed: keys.signing_key_sealer.seal(b"private-key", b"kid-1"),
        public_jwk: "{}".into(),
        created_at: 1000,
        retired_at: None,
        remove_after: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// What is stored opens with `keys`, and the NIK is found by its index.
async fn readable(store: &Store, keys: &Keys) {
    let mut db = store.conn().await.unwrap();
    let found = {
        let mut owner = None;
        for index in keys.nik_index.candidates(NIK) {
            owner = owner.or(db.account_by_nik_index(&index).await.unwrap());
        }
        owner
    };
    assert_eq!(found.as_deref(), Some("acct-1"));
    let nik = db.sealed_page(SealedKind::Nik, "", 10).await.unwrap();
    assert_eq!(&*keys.nik_sealer.open(&nik[0].sealed, b"acct-1").unwrap(), NIK);
    let totp = db.totp("acct-1").await.unwrap().unwrap();
    assert_eq!(&*keys.totp_sealer.open(&totp.secret_sealed, b"acct-1").unwrap(), b"totp-secret");
    let signing = db.sealed_page(SealedKind::SigningKey, "", 10).await.unwrap();
    assert_eq!(&*keys.signing_key_sealer.open(&signing[0].sealed, b"kid-1").unwrap(), b"private-key");
}

/// The generation each stored secret is sealed with.
async fn generations(store: &Store) -> Vec<Option<u32>> {
    let mut db = store.conn().await.unwrap();
    let mut out = Vec::new();
    for kind in [SealedKind::Nik, SealedKind::Totp, SealedKind::SigningKey] {
        out.extend(db.sealed_page(kind, "", 10).await.unwrap().iter().map(|r| Sealer::generation_of(&r.sealed)));
    }
    out
}

fn key_of(master: &MasterKey) -> MasterKey {
    MasterKey::from_base64(&master.to_base64(), "test").unwrap()
}

async fn an_installation_older_than_the_keyring_keeps_what_it_sealed(store: Store) {
    let master = MasterKey::generate();
    // What an installation made before the keyring has: a check value, and values sealed with
    // keys derived from the master key itself.
    let mut tx = store.begin().await.unwrap();
    tx.meta_init("master_key_check", &master.check()).await.unwrap();
    tx.commit().await.unwrap();
    let before = Keys::derive(&master);
    seed(&store, &before).await;

    let ring = DataKeys::open(&store, key_of(&master)).await.unwrap();
    readable(&store, ring.keys()).await;
    assert_eq!(ring.keys().pairwise.index(b"sector|acct-1"), before.pairwise.index(b"sector|acct-1"));
    let err = DataKeys::open(&store, MasterKey::generate()).await.err().unwrap();
    assert!(matches!(err, KeyringError::WrongMasterKey), "{err}");
    // Opening again changes nothing.
    let again = DataKeys::open(&store, key_of(&master)).await.unwrap();
    assert_eq!(again.keys().nik_index.index(NIK), before.nik_index.index(NIK));
}

async fn two_replicas_starting_at_once_share_one_first_generation(store: Store) {
    let master = MasterKey::generate();
    let (a, b) = tokio::join!(DataKeys::open(&store, key_of(&master)), DataKeys::open(&store, key_of(&master)));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.keys().pairwise.index(b"x"), b.keys().pairwise.index(b"x"));
    assert_eq!(store.conn().await.unwrap().data_keys().await.unwrap().len(), 1);
    // A new installation's first generation is random, not the master key.
    assert_ne!(a.keys().nik_index.index(NIK), Keys::derive(&master).nik_index.index(NIK));
}

async fn master_key_rotation_in_two_steps(store: Store) {
    let old = MasterKey::generate();
    let new = MasterKey::generate();
    let running = DataKeys::open(&store, key_of(&old)).await.unwrap();
    seed(&store, running.keys()).await;
    let cookie = running.keys().gateway_cookie.seal(b"session", b"host");
    let pairwise = running.keys().pairwise.index(b"sector|acct-1");
    let nik_index_before = running.keys().nik_index.index(NIK);

    // Step 1, with the old key: the new key is refused if it is the same.
    assert!(matches!(running.begin_rotation(&store, &key_of(&old)).await, Err(KeyringError::SameKey)));
    let started = running.begin_rotation(&store, &new).await.unwrap();
    assert_eq!((started.next, started.wrapped, started.resumed), (1, 2, false));
    assert!(running.begin_rotation(&store, &new).await.unwrap().resumed, "running it again completes it");
    let other = MasterKey::generate();
    assert!(matches!(running.begin_rotation(&store, &other).await, Err(KeyringError::OtherRotationPending)));
    // Both keys open the installation; nothing is sealed with the next generation yet.
    let restarted = DataKeys::open(&store, key_of(&new)).await.unwrap();
    readable(&store, restarted.keys()).await;
    assert_eq!(restarted.keys().nik_sealer.current_generation(), 0);
    assert_eq!(running.keys().nik_sealer.current_generation(), 0);
    // Finishing with the old key is refused: it would forget the new one.
    assert!(matches!(running.finish_rotation(&store, false).await, Err(KeyringError::NotTheNewKey)));

    // Step 2, with the new key.
    let finished = restarted.finish_rotation(&store, false).await.unwrap();
    assert_eq!((finished.current, finished.retired, finished.forgotten), (1, 0, 2));
    assert!(matches!(restarted.finish_rotation(&store, false).await, Err(KeyringError::NoRotation)));
    let last = store.conn().await.unwrap().last_audit().await.unwrap().unwrap();
    assert_eq!((last.actor.as_str(), last.action.as_str()), ("cli", "keys.master_rotation_finish"));
    // A gateway cookie made under the old generation holds through the grace period.
    assert_eq!(&*restarted.keys().gateway_cookie.open(&cookie, b"host").unwrap(), b"session");
    let now = gerbang_core::crypto::versions::now();
    let published = restarted.keys().gateway_assertion.get().all_accepted(now).count();
    assert_eq!(published, 2, "the retired assertion key is published");
    let err = DataKeys::open(&store, key_of(&old)).await.err().unwrap();
    assert!(matches!(err, KeyringError::WrongMasterKey), "the old key opens nothing: {err}");
    // A process still running with the old key cannot take the new keyring up, and keeps its keys.
    assert!(matches!(running.reload(&store).await, Err(KeyringError::WrongMasterKey)));
    assert_eq!(running.keys().nik_sealer.current_generation(), 0);

    // Before the rewrite: old values still open, the NIK is found under its old index.
    let keys = restarted.keys();
    assert_eq!(keys.nik_sealer.current_generation(), 1);
    readable(&store, keys).await;
    assert_eq!(generations(&store).await, vec![Some(0); 3]);
    for kind in SealedKind::ALL {
        let count = reseal(&store, keys, kind, |_| {}).await.unwrap();
        let expected = if kind == SealedKind::PendingNik { 0 } else { 1 };
        assert_eq!((count.checked, count.rewritten, count.unreadable), (expected, expected, 0), "{kind:?}");
    }
    assert_eq!(generations(&store).await, vec![Some(1); 3]);
    readable(&store, keys).await;
    let mut db = store.conn().await.unwrap();
    let row = &db.sealed_page(SealedKind::Nik, "", 10).await.unwrap()[0];
    assert_eq!(row.index, keys.nik_index.index(NIK), "re-indexed under the new generation");
    assert_ne!(row.index, nik_index_before);
    assert_eq!(keys.pairwise.index(b"sector|acct-1"), pairwise, "pairwise subjects never change");
    // A second run finds nothing left to do.
    let count = reseal(&store, keys, SealedKind::Nik, |_| {}).await.unwrap();
    assert_eq!((count.checked, count.rewritten), (1, 0));
    // A value that does not open is counted and left alone.
    let mut tx = store.begin().await.unwrap();
    let garbage = Sealer::new(&[9; 32]).seal(b"x", b"kid-1");
    let stored = db.sealed_page(SealedKind::SigningKey, "", 1).await.unwrap().remove(0).sealed;
    assert!(tx.replace_sealed(SealedKind::SigningKey, "kid-1", &stored, &[], &garbage).await.unwrap());
    tx.commit().await.unwrap();
    let count = reseal(&store, keys, SealedKind::SigningKey, |_| {}).await.unwrap();
    assert_eq!((count.checked, count.rewritten, count.unreadable), (1, 0, 1));
}

async fn finishing_without_grace_refuses_old_cookies_at_once(store: Store) {
    let old = MasterKey::generate();
    let new = MasterKey::generate();
    let running = DataKeys::open(&store, key_of(&old)).await.unwrap();
    let cookie = running.keys().gateway_cookie.seal(b"session", b"host");
    let code = running.keys().codes.index(b"id:123456");
    running.begin_rotation(&store, &new).await.unwrap();
    let restarted = DataKeys::open(&store, key_of(&new)).await.unwrap();
    restarted.finish_rotation(&store, true).await.unwrap();
    let keys = restarted.keys();
    assert!(keys.gateway_cookie.open(&cookie, b"host").is_err(), "the old key leaked: its cookies are refused");
    assert!(!keys.codes.verify(b"id:123456", &code, 32));
    let now = gerbang_core::crypto::versions::now();
    assert_eq!(keys.gateway_assertion.get().all_accepted(now).count(), 1, "only the new assertion key is published");
}
