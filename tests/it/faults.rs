//! kill -9 of a running Gerbang in the middle of writes: the database opens again (on SQLite it
//! passes the integrity check), and every sign-in that was acknowledged is still there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::support::{Demo, Gerbang, client, csrf_token};

const NIP: &str = "197502022000031002";
const PW: &str = "kata-sandi-tahan-banting";

/// Signs in; returns the session cookie when the server acknowledged it (303 with the cookie).
async fn acknowledged_sign_in(idp: &str) -> Option<String> {
    let c = client();
    let page = c.get(format!("{idp}/masuk")).send().await.ok()?.text().await.ok()?;
    let token = csrf_token(&page);
    let r = c
        .post(format!("{idp}/masuk"))
        .form(&[("csrf", token.as_str()), ("identifier", NIP), ("password", PW)])
        .send()
        .await
        .ok()?;
    if r.status() != 303 {
        return None;
    }
    r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.strip_prefix("gerbang_sid=").map(|rest| format!("gerbang_sid={}", rest.split(';').next().unwrap_or("")))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_writes_leaves_a_usable_database_and_loses_no_acknowledged_sign_in() {
    killed_mid_writes(Gerbang::sqlite()).await;
}

/// The same with PostgreSQL: a replica killed mid-load loses no acknowledged sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_a_postgres_replica_loses_no_acknowledged_sign_in() {
    let name = concat!(env!("CARGO_PKG_NAME"), " ", module_path!(), "::kill_9_postgres");
    let Some(g) = Gerbang::postgres(name).await else { return };
    killed_mid_writes(g).await;
}

async fn killed_mid_writes(g: Gerbang) {
    let add = g.run_with_stdin(&["user", "add", "--nip", NIP, "--name", "Pegawai Uji", "--password-stdin"], Some(PW));
    assert!(add.ok, "{}", add.stderr);
    let mut demo = Demo::start(&g);
    let idp = demo.str("idp_url");

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (stop, acknowledged, idp) = (stop.clone(), acknowledged.clone(), idp.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(cookie) = acknowledged_sign_in(&idp).await {
                    acknowledged.lock().unwrap().push(cookie);
                }
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 10 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // SIGKILL, in the middle of the writes.
    demo.child.kill().unwrap();
    demo.child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    drop(demo);

    // The database opens (the command line migrates and checks the key on it) and is sound.
    let list = g.run(&["user", "list"]);
    assert!(list.ok && list.stdout.contains(NIP), "{} {}", list.stdout, list.stderr);
    if g.database_url().is_none() {
        let store = gerbang_core::store::Store::open_sqlite(&g.path().join("gerbang.db")).await.unwrap();
        assert!(store.integrity_check().await.unwrap(), "integrity_check after kill -9");
        store.close().await;
    }

    // Started again, every acknowledged sign-in is still a live session.
    let demo = Demo::start(&g);
    let idp = demo.str("idp_url");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for cookie in &acknowledged {
        let r = http.get(format!("{idp}/akun")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "an acknowledged sign-in was lost ({} acknowledged)", acknowledged.len());
    }
    assert!(acknowledged_sign_in(&idp).await.is_some(), "signs in after the restart");
}
