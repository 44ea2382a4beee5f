//! Brute-force protection: locks per identifier and per address, the same for unknown
//! identifiers, release after the window, administrator unlock, sign-in history.

use gerbang_core::store::FactorStore;

use crate::support::{Backend, TestServer};

crate::on_both_backends!(identifier_lock_is_the_same_for_known_and_unknown, address_lock_and_history);

const NIP: &str = "199003152015032002";
const UNKNOWN: &str = "198001012005011001";
const PW: &str = "kata-sandi-panjang";

async fn identifier_lock_is_the_same_for_known_and_unknown(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| {
        c.throttle.account_failures = 3;
        c.throttle.lock_secs = 2;
    })
    .await
    else {
        return;
    };
    srv.with_asn(NIP, "Siti", PW).await;
    let mut answers = Vec::new();
    for identifier in [NIP, UNKNOWN] {
        let statuses: Vec<u16> = {
            let mut v = Vec::new();
            for _ in 0..4 {
                v.push(srv.login(&srv.client(), identifier, "salah-salah-salah").await.status().as_u16());
            }
            v
        };
        assert_eq!(statuses, [401, 401, 429, 429], "{identifier}");
        // Locked: even the right password is refused, with a page that says until when.
        let r = srv.login(&srv.client(), identifier, PW).await;
        assert_eq!(r.status(), 429);
        let html = r.text().await.unwrap();
        assert!(html.contains("Terlalu banyak percobaan masuk") && html.contains("WIB"), "{html}");
        answers.push(html.replace(identifier, "").replace(&crate::support::csrf_token(&html), ""));
    }
    assert_eq!(answers[0], answers[1], "a lock does not tell whether the account exists");

    // The administrator lifts the lock early.
    assert!(srv.state.throttle.unlock(NIP).await.unwrap());
    assert_eq!(srv.login(&srv.client(), NIP, PW).await.status(), 303);
    // The other lock ends by itself after lock_secs.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = srv.login(&srv.client(), UNKNOWN, "salah-salah-salah").await;
    assert_eq!(r.status(), 401, "released after its window");
}

async fn address_lock_and_history(backend: Backend) {
    let Some(srv) = TestServer::start_with(backend, |c| {
        c.throttle.account_failures = 100;
        c.throttle.address_failures = 4;
    })
    .await
    else {
        return;
    };
    let id = srv.with_asn(NIP, "Siti", PW).await;
    assert_eq!(srv.login(&srv.client(), NIP, PW).await.status(), 303);
    for i in 0..3 {
        let other = format!("19800101200501100{}", i + 2);
        assert_eq!(srv.login(&srv.client(), &other, "x-x-x-x-x-x").await.status(), 401);
    }
    assert_eq!(
        srv.login(&srv.client(), NIP, "salah-salah-salah").await.status(),
        429,
        "the 4th failure locks the address"
    );
    assert_eq!(srv.login(&srv.client(), NIP, PW).await.status(), 429, "every identifier from that address");
    let history = srv.store.conn().await.unwrap().recent_sign_ins(&id, 10).await.unwrap();
    let results: Vec<&str> = history.iter().map(|h| h.result.as_str()).collect();
    assert_eq!(results, ["wrong_credentials", "ok"], "newest first; locked attempts are not password checks");
    assert!(history.iter().all(|h| h.source_ip == "127.0.0.1"));
}
