//! The store conformance suite: every case runs on both backends.

use gerbang_core::audit::{self, AuditChainError, AuditEvent};
use gerbang_core::store::{
    AccountKind, AccountStatus, AccountStore, Assurance, AuditStore, GatewayStore, MetaStore, NewAccount, Session,
    SessionStore, Store,
};
use serde_json::json;

crate::on_both_backends!(
    migrations_are_idempotent,
    account_round_trip,
    current_nip_is_unique_and_history_kept,
    nik_index_is_unique,
    password_upsert,
    dropped_transaction_leaves_nothing,
    sessions_expire_and_end,
    audit_chain_detects_tampering,
    keyset_pagination,
    meta_init_keeps_first_value,
    sqlite_or_postgres_reports_conflicts_by_kind,
    gateway_logouts_are_shared_and_expire,
    name_prefix_search_pages_from_the_prefix,
);

async fn new_account(store: &Store, id: &str, kind: AccountKind) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_account(&NewAccount {
        id,
        kind,
        display_name: "Nama",
        opd_id: None,
        assurance: Assurance::Terdaftar,
        now: 1000,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn migrations_are_idempotent(store: Store) {
    let again = store.migrate().await.unwrap();
    assert_eq!(again.applied_before, again.applied_now, "second run applies nothing");
    assert!(again.latest_version >= 1);
}

async fn account_round_trip(store: Store) {
    new_account(&store, "a1", AccountKind::Asn).await;
    let mut db = store.conn().await.unwrap();
    let a = db.account("a1").await.unwrap().unwrap();
    assert_eq!(
        (a.kind, a.status, a.display_name.as_str(), a.created_at),
        (AccountKind::Asn, AccountStatus::Active, "Nama", 1000)
    );
    assert!(db.account("missing").await.unwrap().is_none());
    drop(db);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.set_status("a1", AccountStatus::Disabled, Some("admin"), 2000).await.unwrap());
    assert!(!tx.set_status("missing", AccountStatus::Disabled, Some("admin"), 2000).await.unwrap());
    tx.add_role("a1", "admin").await.unwrap();
    tx.add_role("a1", "admin").await.unwrap(); // idempotent
    tx.commit().await.unwrap();
    let mut db = store.conn().await.unwrap();
    let a = db.account("a1").await.unwrap().unwrap();
    assert_eq!((a.status, a.updated_at), (AccountStatus::Disabled, 2000));
    assert_eq!(a.disabled_by.as_deref(), Some("admin"), "why it was disabled is kept");
    assert_eq!(db.roles("a1").await.unwrap(), vec!["admin".to_string()]);
}

async fn current_nip_is_unique_and_history_kept(store: Store) {
    new_account(&store, "a1", AccountKind::Asn).await;
    new_account(&store, "a2", AccountKind::Asn).await;
    let nip1 = "199207102022211003";
    let nip2 = "199207102023071003";
    let mut tx = store.begin().await.unwrap();
    tx.insert_nip("a1", nip1, "PPPK", 10).await.unwrap();
    tx.commit().await.unwrap();

    // A second account cannot hold the same current NIP.
    let mut tx = store.begin().await.unwrap();
    let err = tx.insert_nip("a2", nip1, "PPPK", 11).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    drop(tx);

    // Re-key: end the current record, start a new one; the account stays.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.end_current_nip("a1", 20).await.unwrap(), 1);
    tx.insert_nip("a1", nip2, "PNS", 20).await.unwrap();
    tx.commit().await.unwrap();
    let mut db = store.conn().await.unwrap();
    assert_eq!(db.account_by_nip(nip2).await.unwrap().as_deref(), Some("a1"));
    assert_eq!(db.account_by_nip(nip1).await.unwrap(), None, "old NIP no longer signs in");
    assert_eq!(db.nip_owners_ever(nip1).await.unwrap(), vec!["a1".to_string()]);
    let history = db.nip_history("a1").await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].nip.as_str(), history[0].valid_to), (nip2, None));
    assert_eq!((history[1].nip.as_str(), history[1].valid_to), (nip1, Some(20)));
    let page = db.list_accounts("", 10).await.unwrap();
    assert_eq!(page[0].nip.as_deref(), Some(nip2));
}

async fn nik_index_is_unique(store: Store) {
    new_account(&store, "w1", AccountKind::Warga).await;
    new_account(&store, "w2", AccountKind::Warga).await;
    let mut tx = store.begin().await.unwrap();
    tx.insert_nik("w1", &[1u8; 32], b"sealed-1").await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    assert!(tx.insert_nik("w2", &[1u8; 32], b"sealed-2").await.unwrap_err().is_conflict());
    drop(tx);
    let mut db = store.conn().await.unwrap();
    assert_eq!(db.account_by_nik_index(&[1u8; 32]).await.unwrap().as_deref(), Some("w1"));
    assert_eq!(db.account_by_nik_index(&[2u8; 32]).await.unwrap(), None);
    assert_eq!(db.nik_sealed("w1").await.unwrap().as_deref(), Some(&b"sealed-1"[..]));
    assert_eq!(db.nik_sealed("w2").await.unwrap(), None);
}

async fn password_upsert(store: Store) {
    new_account(&store, "a1", AccountKind::Asn).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_password("a1", "$argon2id$first", 1).await.unwrap();
    tx.set_password("a1", "$argon2id$second", 2).await.unwrap();
    tx.commit().await.unwrap();
    let mut db = store.conn().await.unwrap();
    assert_eq!(db.password("a1").await.unwrap().as_deref(), Some("$argon2id$second"));
    assert_eq!(db.password("none").await.unwrap(), None);
}

/// A multi-step write (account + NIP + password) that is not committed leaves no trace.
async fn dropped_transaction_leaves_nothing(store: Store) {
    {
        let mut tx = store.begin().await.unwrap();
        tx.insert_account(&NewAccount {
            id: "half",
            kind: AccountKind::Asn,
            display_name: "X",
            opd_id: None,
            assurance: Assurance::Terverifikasi,
            now: 1,
        })
        .await
        .unwrap();
        tx.insert_nip("half", "198001012005011001", "PNS", 1).await.unwrap();
        tx.set_password("half", "$argon2id$x", 1).await.unwrap();
        // Dropped here, as when a later step returns an error.
    }
    let mut db = store.conn().await.unwrap();
    assert!(db.account("half").await.unwrap().is_none());
    assert_eq!(db.account_by_nip("198001012005011001").await.unwrap(), None);
    assert_eq!(db.password("half").await.unwrap(), None);
    assert_eq!(db.count_accounts().await.unwrap(), 0);
}

async fn sessions_expire_and_end(store: Store) {
    new_account(&store, "a1", AccountKind::Asn).await;
    let s = |id: u8, expires_at| Session {
        id_hash: vec![id; 32],
        account_id: "a1".into(),
        amr: "pwd".into(),
        auth_time: 100,
        created_at: 100,
        expires_at,
        user_agent: "test".into(),
        source_ip: "127.0.0.1".into(),
        sid: format!("sid-{id}"),
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_session(&s(1, 200)).await.unwrap();
    tx.insert_session(&s(2, 500)).await.unwrap();
    tx.insert_session(&s(3, 500)).await.unwrap();
    tx.commit().await.unwrap();
    let mut db = store.conn().await.unwrap();
    assert_eq!(db.live_session(&[1; 32], 150).await.unwrap(), Some(s(1, 200)));
    assert_eq!(db.live_session(&[1; 32], 200).await.unwrap(), None, "expired at its expiry second");
    drop(db);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.delete_session(&[2; 32]).await.unwrap());
    assert_eq!(tx.delete_expired_sessions(300).await.unwrap(), 1);
    assert_eq!(tx.delete_account_sessions("a1").await.unwrap(), 1);
    tx.commit().await.unwrap();
    let mut db = store.conn().await.unwrap();
    assert_eq!(db.live_session(&[3; 32], 150).await.unwrap(), None);
}

async fn audit_chain_detects_tampering(store: Store) {
    for i in 0..5 {
        let mut tx = store.begin().await.unwrap();
        let target = format!("acct-{i}");
        let event = AuditEvent { actor: "cli", action: "account.create", target: &target, detail: json!({ "i": i }) };
        let row = audit::append(&mut tx, &event, 1000 + i).await.unwrap();
        assert_eq!(row.seq, i + 1);
        tx.commit().await.unwrap();
    }
    // A rolled-back change leaves no audit record either.
    {
        let mut tx = store.begin().await.unwrap();
        audit::append(&mut tx, &AuditEvent { actor: "cli", action: "x", target: "t", detail: json!({}) }, 1)
            .await
            .unwrap();
    }
    let mut db = store.conn().await.unwrap();
    assert_eq!(audit::verify_chain(&mut db).await.unwrap(), 5);
    assert_eq!(db.audit_for_target("acct-3", 10).await.unwrap().len(), 1);
    drop(db);
    // Several records in one transaction, as the audit writer's batches are (150: more than
    // one insert statement holds), and through the writer itself: the chain goes on unbroken.
    let mut tx = store.begin().await.unwrap();
    let batch: Vec<_> = (0..150)
        .map(|i| {
            (
                AuditEvent {
                    actor: "svc",
                    action: "token.client_credentials",
                    target: "svc",
                    detail: json!({ "n": i }),
                },
                2000 + i,
            )
        })
        .collect();
    let rows = audit::append_all(&mut tx, &batch).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), (6..=155).collect::<Vec<i64>>());
    tx.commit().await.unwrap();
    let writer = audit::AuditWriter::start(store.clone());
    let queued =
        AuditEvent { actor: "svc", action: "token.client_credentials", target: "svc", detail: json!({ "n": 3 }) };
    writer.submit(&queued, 2003).await.unwrap();
    let waited = AuditEvent { actor: "svc", action: "token.exchange", target: "svc", detail: json!({ "n": 4 }) };
    writer.record(&waited, 2004).await.unwrap();
    let mut db = store.conn().await.unwrap();
    assert_eq!(
        audit::verify_chain(&mut db).await.unwrap(),
        157,
        "the queued record is committed before a later waited one"
    );
    drop(db);
    // Edit a past record behind the log's back: verification names it.
    let mut tx = store.begin().await.unwrap();
    let mut row = tx.audit_after(2, 1).await.unwrap().remove(0);
    row.detail = r#"{"i":99}"#.into();
    tx.commit().await.unwrap();
    tamper(&store, &row).await;
    let mut db = store.conn().await.unwrap();
    match audit::verify_chain(&mut db).await {
        Err(AuditChainError::Broken { seq }) => assert_eq!(seq, 3),
        other => panic!("expected a broken chain at 3, got {other:?}"),
    }
}

/// Rewrites one audit row directly (what an attacker with database access would do).
async fn tamper(store: &Store, row: &gerbang_core::store::AuditRow) {
    let mut tx = store.begin().await.unwrap();
    match &mut tx {
        gerbang_core::store::Tx::Sqlite(t) => {
            sqlx::query("UPDATE audit_log SET detail = $1 WHERE seq = $2")
                .bind(&row.detail)
                .bind(row.seq)
                .execute(&mut **t)
                .await
                .unwrap();
        }
        gerbang_core::store::Tx::Postgres(t) => {
            sqlx::query("UPDATE audit_log SET detail = $1 WHERE seq = $2")
                .bind(&row.detail)
                .bind(row.seq)
                .execute(&mut **t)
                .await
                .unwrap();
        }
    }
    tx.commit().await.unwrap();
}

async fn keyset_pagination(store: Store) {
    for i in 0..7 {
        new_account(&store, &format!("id-{i:02}"), AccountKind::Warga).await;
    }
    let mut db = store.conn().await.unwrap();
    let first = db.list_accounts("", 3).await.unwrap();
    let ids: Vec<_> = first.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["id-00", "id-01", "id-02"]);
    let second = db.list_accounts("id-02", 3).await.unwrap();
    assert_eq!(second[0].id, "id-03");
    let last = db.list_accounts("id-05", 3).await.unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(db.count_accounts().await.unwrap(), 7);
}

async fn meta_init_keeps_first_value(store: Store) {
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.meta_init("k", "first").await.unwrap(), "first");
    assert_eq!(tx.meta_init("k", "second").await.unwrap(), "first");
    tx.commit().await.unwrap();
    assert_eq!(store.conn().await.unwrap().meta("absent").await.unwrap(), None);
}

/// A foreign-key violation (role for a missing account) is a conflict, not a generic error,
/// and the failed transaction can be dropped without leaving anything.
async fn sqlite_or_postgres_reports_conflicts_by_kind(store: Store) {
    let mut tx = store.begin().await.unwrap();
    let err = tx.add_role("nobody", "admin").await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    drop(tx);
    assert!(store.conn().await.unwrap().roles("nobody").await.unwrap().is_empty());
}

/// What one gateway replica records, another reads back (by time), until it expires.
async fn gateway_logouts_are_shared_and_expire(store: Store) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_gateway_logout(Some("sid-1"), None, 100, 1000).await.unwrap();
    tx.insert_gateway_logout(None, Some("sub-2"), 200, 300).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = store.conn().await.unwrap();
    let all = c.gateway_logouts_since(0, 250).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].idp_sid.as_deref(), all[0].sub.as_deref()), (Some("sid-1"), None));
    assert!(all[0].seq < all[1].seq);
    let recent = c.gateway_logouts_since(150, 250).await.unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].sub.as_deref(), Some("sub-2"));
    assert!(c.gateway_logouts_since(0, 400).await.unwrap().iter().all(|l| l.idp_sid.is_some()), "expired one hidden");
    assert_eq!(c.purge_gateway_logouts(400).await.unwrap(), 1);
}

/// The admin's name search: a prefix, pages by `(name_key, id)`, a cursor before the prefix (the
/// first page's empty one, or a forged one) read as the prefix, a name equal to the prefix found.
async fn name_prefix_search_pages_from_the_prefix(store: Store) {
    let mut tx = store.begin().await.unwrap();
    for (id, name) in
        [("a1", "Ahmad"), ("n1", "Nur"), ("n2", "Nur Saputra"), ("n3", "Nura"), ("n4", "Nur"), ("z1", "Zainal")]
    {
        let account = NewAccount {
            id,
            kind: AccountKind::Warga,
            display_name: name,
            opd_id: None,
            assurance: Assurance::Terdaftar,
            now: 1000,
        };
        tx.insert_account(&account).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut db = store.conn().await.unwrap();
    let ids = |rows: Vec<gerbang_core::store::AccountSummary>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    let first = ids(db.search_accounts_by_name("nur", "", "", 2).await.unwrap());
    assert_eq!(first, ["n1", "n4"], "names equal to the prefix first, by id");
    let second = ids(db.search_accounts_by_name("nur", "nur", "n4", 2).await.unwrap());
    assert_eq!(second, ["n2", "n3"]);
    assert!(db.search_accounts_by_name("nur", "nura", "n3", 2).await.unwrap().is_empty(), "nothing after the last");
    let forged = ids(db.search_accounts_by_name("nur", "ahmad", "a1", 10).await.unwrap());
    assert_eq!(forged, ["n1", "n4", "n2", "n3"], "a cursor before the prefix starts at the prefix");
    let past = db.search_accounts_by_name("nur", "zzz", "", 10).await.unwrap();
    assert!(past.is_empty(), "a cursor past the prefix finds nothing");
}
