//! The account service on both backends: atomic multi-step writes, NIK protection, re-keying.

use gerbang_core::audit;
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::store::{AccountStatus, AccountStore, AuditStore};
use gerbang_idp::accounts::{AccountError, Actor, Identity, NewIdentity};

use crate::support::{Backend, TestServer, logs};

crate::on_both_backends!(
    failed_create_leaves_nothing_half_written,
    nik_is_sealed_and_found_by_blind_index,
    rekey_keeps_the_account_and_its_history,
    disable_ends_sessions_and_is_audited,
    bad_role_name_or_password_are_refused_before_writing,
);

const NIP_PNS: &str = "199003152015032002";
const NIP_PPPK: &str = "199207102022211003";
const NIK_PP: &str = "1374024107900001";

fn warga(nik: &str, name: &str) -> NewIdentity {
    NewIdentity { identity: Identity::Nik(Nik::parse(nik).unwrap()), name: name.into(), password: None, roles: vec![] }
}

/// The second step of a create (the NIP/NIK row) fails after the account row was written:
/// nothing of the failed create remains, and the audit log has no record of it.
async fn failed_create_leaves_nothing_half_written(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    srv.with_asn(NIP_PNS, "Siti", "kata-sandi-panjang").await;
    srv.accounts.create(warga(NIK_PP, "Rina"), Actor("test")).await.unwrap();
    let before = srv.accounts.count().await.unwrap();

    let dup_nip = NewIdentity {
        identity: Identity::Nip(Nip::parse(NIP_PNS).unwrap()),
        name: "Penyusup".into(),
        password: Some("kata-sandi-lain-123".into()),
        roles: vec!["admin".into()],
    };
    assert!(matches!(srv.accounts.create(dup_nip, Actor("test")).await, Err(AccountError::NipTaken)));
    assert!(matches!(srv.accounts.create(warga(NIK_PP, "Penyusup"), Actor("test")).await, Err(AccountError::NikTaken)));

    assert_eq!(srv.accounts.count().await.unwrap(), before);
    let names: Vec<_> = srv.accounts.list("", 100).await.unwrap().into_iter().map(|a| a.display_name).collect();
    assert!(!names.contains(&"Penyusup".to_string()), "{names:?}");
    let mut db = srv.store.conn().await.unwrap();
    assert_eq!(audit::verify_chain(&mut db).await.unwrap(), 2, "only the two real creates are audited");
}

/// The NIK is stored sealed (never in clear, in the file or in logs) and found by its index.
async fn nik_is_sealed_and_found_by_blind_index(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let nik = "3273015508950003";
    let id = srv.accounts.create(warga(nik, "Warga Bandung"), Actor("test")).await.unwrap();
    let found = srv.accounts.find(&Identity::Nik(Nik::parse("3273 0155 0895 0003").unwrap())).await.unwrap().unwrap();
    assert_eq!(found.id, id);
    let view = srv.accounts.view(&id).await.unwrap();
    assert_eq!(view.nik_masked.as_deref(), Some("3273********0003"));
    assert_eq!(srv.accounts.nik_of(&id).await.unwrap().unwrap().expose(), nik);
    let listed = srv.accounts.list("", 10).await.unwrap();
    assert_eq!(listed[0].identifier, "3273********0003");

    if let Some(path) = srv.db.sqlite_path() {
        // Checkpoint so every page is in the main file, then read the file and the WAL raw.
        drop(srv.store.conn().await.unwrap());
        let mut raw = std::fs::read(&path).unwrap();
        raw.extend(std::fs::read(path.with_extension("db-wal")).unwrap_or_default());
        assert!(!contains(&raw, nik.as_bytes()), "clear NIK found in the SQLite file");
        assert!(contains(&raw, b"Warga Bandung"), "the scan reads the real data");
    }
    let mut db = srv.store.conn().await.unwrap();
    let sealed = db.nik_sealed(&id).await.unwrap().unwrap();
    assert!(!contains(&sealed, nik.as_bytes()));
    let audit = db.audit_for_target(&id, 10).await.unwrap();
    assert!(audit[0].detail.contains("3273********0003") && !audit[0].detail.contains(nik), "{}", audit[0].detail);
    assert!(!logs().contains(nik), "clear NIK found in the logs");
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn rekey_keeps_the_account_and_its_history(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let id = srv.with_asn(NIP_PPPK, "Budi", "kata-sandi-panjang").await;
    let other = srv.with_asn(NIP_PNS, "Siti", "kata-sandi-panjang").await;
    let new_nip = Nip::parse("199207102023071003").unwrap();
    srv.accounts.rekey_nip(&id, &new_nip, Actor("test")).await.unwrap();

    let view = srv.accounts.view(&id).await.unwrap();
    assert_eq!(view.nip.as_deref(), Some("199207102023071003"));
    assert_eq!(view.jenis_pegawai.as_deref(), Some("PNS"));
    assert_eq!(view.nip_history.len(), 2);
    let by_new = srv.accounts.find(&Identity::Nip(new_nip.clone())).await.unwrap().unwrap();
    assert_eq!(by_new.id, id, "same account, same subject");
    assert!(srv.accounts.find(&Identity::Nip(Nip::parse(NIP_PPPK).unwrap())).await.unwrap().is_none());

    // The old NIP cannot be handed to somebody else, nor can a NIP in use.
    let old = Nip::parse(NIP_PPPK).unwrap();
    assert!(matches!(
        srv.accounts.rekey_nip(&other, &old, Actor("test")).await,
        Err(AccountError::NipBelongsToAnother)
    ));
    assert!(matches!(
        srv.accounts.rekey_nip(&other, &new_nip, Actor("test")).await,
        Err(AccountError::NipBelongsToAnother)
    ));
    // A citizen has no NIP to re-key.
    let w = srv.accounts.create(warga(NIK_PP, "Rina"), Actor("test")).await.unwrap();
    assert!(matches!(
        srv.accounts.rekey_nip(&w, &Nip::parse("198001012005011001").unwrap(), Actor("test")).await,
        Err(AccountError::NotAsn)
    ));
    // Signing in with the new NIP works with the same password.
    let client = srv.client();
    let r = srv.login(&client, "199207102023071003", "kata-sandi-panjang").await;
    assert_eq!(r.status(), 303);
}

async fn disable_ends_sessions_and_is_audited(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let id = srv.with_asn(NIP_PNS, "Siti", "kata-sandi-panjang").await;
    let client = srv.client();
    assert_eq!(srv.login(&client, NIP_PNS, "kata-sandi-panjang").await.status(), 303);
    assert_eq!(client.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 200);

    assert!(srv.accounts.set_status(&id, AccountStatus::Disabled, Actor("test")).await.unwrap());
    assert!(!srv.accounts.set_status(&id, AccountStatus::Disabled, Actor("test")).await.unwrap(), "no change");
    let page = client.get(format!("{}/akun", srv.url)).send().await.unwrap();
    assert_eq!(page.status(), 303, "the session ended with the account");

    let r = srv.login(&srv.client(), NIP_PNS, "kata-sandi-panjang").await;
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Akun dinonaktifkan"));
    let mut db = srv.store.conn().await.unwrap();
    let actions: Vec<_> = db.audit_for_target(&id, 10).await.unwrap().into_iter().map(|r| r.action).collect();
    assert_eq!(actions, ["account.disable", "account.create"]);
}

async fn bad_role_name_or_password_are_refused_before_writing(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let mut new = warga(NIK_PP, "Rina");
    new.roles = vec!["superuser".into()];
    assert!(
        matches!(srv.accounts.create(new, Actor("test")).await, Err(AccountError::UnknownRole(r)) if r == "superuser")
    );
    let mut new = warga(NIK_PP, "Rina");
    new.password = Some("pendek".into());
    assert!(matches!(srv.accounts.create(new, Actor("test")).await, Err(AccountError::PasswordTooShort { min: 10 })));
    let mut new = warga(NIK_PP, "Rina");
    new.password = Some("x".repeat(1025));
    assert!(matches!(srv.accounts.create(new, Actor("test")).await, Err(AccountError::PasswordTooLong { max: 1024 })));
    for bad in ["   ".to_string(), "a".repeat(201), "Rina\u{0}Marlina".to_string(), "Rina\nMarlina".to_string()] {
        let result = srv.accounts.create(warga(NIK_PP, &bad), Actor("test")).await;
        assert!(
            matches!(result, Err(AccountError::EmptyName | AccountError::BadName { max: 200 })),
            "{bad:?}: {result:?}"
        );
    }
    assert_eq!(srv.accounts.count().await.unwrap(), 0);
}
