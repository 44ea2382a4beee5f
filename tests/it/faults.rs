//! kill -9 of a running Gerbang in the middle of writes: the database opens again (on SQLite it
//! passes the integrity check), and everything that was acknowledged is still there: sign-ins
//! (live sessions), tokens (active at introspection), and admin changes (OPDs created through the
//! admin pages).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::support::{Demo, Gerbang, add_machine_client, client, csrf_token, sign_in};

const NIP: &str = "197502022000031002";
const PW: &str = "kata-sandi-tahan-banting";
const ADMIN_NIP: &str = "198103032005011004";

/// Creates OPD `id` through the admin page with an admin's signed-in client; true when the
/// server acknowledged it (303 to the new record).
async fn acknowledged_opd(admin: &reqwest::Client, idp: &str, id: &str) -> bool {
    let Ok(page) = admin.get(format!("{idp}/admin/opd")).send().await else { return false };
    let Ok(html) = page.text().await else { return false };
    if !html.contains("name=\"csrf\"") {
        return false;
    }
    let csrf = csrf_token(&html);
    let form = [("csrf", csrf.as_str()), ("id", id), ("name", "Dinas Uji Ketahanan"), ("kind", "dinas")];
    match admin.post(format!("{idp}/admin/opd")).form(&form).send().await {
        Ok(r) => {
            r.status() == 303 && r.headers().get("location").is_some_and(|l| l.as_bytes().ends_with(id.as_bytes()))
        }
        Err(_) => false,
    }
}

/// A client_credentials access token, when the server answered with one.
async fn acknowledged_token(idp: &str, secret: &str) -> Option<String> {
    let r = reqwest::Client::new()
        .post(format!("{idp}/token"))
        .basic_auth("simpeg", Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "simpeg:read")])
        .send()
        .await
        .ok()?;
    if r.status() != 200 {
        return None;
    }
    r.json::<serde_json::Value>().await.ok()?["access_token"].as_str().map(str::to_string)
}

/// Whether an access token is active at introspection (asked by the client it was issued to).
async fn active(idp: &str, secret: &str, access_token: &str) -> bool {
    let r = reqwest::Client::new()
        .post(format!("{idp}/introspect"))
        .basic_auth("simpeg", Some(secret))
        .form(&[("token", access_token)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<serde_json::Value>().await.unwrap()["active"] == true
}

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
async fn kill_9_during_writes_leaves_a_usable_database_and_loses_nothing_acknowledged() {
    killed_mid_writes(Gerbang::sqlite()).await;
}

/// The same with PostgreSQL: a replica killed mid-load loses no acknowledged sign-in, token or admin change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_a_postgres_replica_loses_nothing_acknowledged() {
    let name = concat!(env!("CARGO_PKG_NAME"), " ", module_path!(), "::kill_9_postgres");
    let Some(g) = Gerbang::postgres(name).await else { return };
    killed_mid_writes(g).await;
}

async fn killed_mid_writes(g: Gerbang) {
    let add = g.run_with_stdin(&["user", "add", "--nip", NIP, "--name", "Pegawai Uji", "--password-stdin"], Some(PW));
    assert!(add.ok, "{}", add.stderr);
    let admin = g.run_with_stdin(
        &["user", "add", "--nip", ADMIN_NIP, "--name", "Admin Uji", "--role", "admin", "--password-stdin"],
        Some(PW),
    );
    assert!(admin.ok, "{}", admin.stderr);
    let secret = add_machine_client(&g);
    let mut demo = Demo::start(&g);
    let idp = demo.str("idp_url");

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let tokens = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let opds = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut load = Vec::new();
    {
        let (stop, tokens, idp, secret) = (stop.clone(), tokens.clone(), idp.clone(), secret.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(t) = acknowledged_token(&idp, &secret).await {
                    tokens.lock().unwrap().push(t);
                }
            }
        }));
    }
    {
        let (stop, opds, idp) = (stop.clone(), opds.clone(), idp.clone());
        load.push(tokio::spawn(async move {
            let admin = client();
            assert_eq!(sign_in(&admin, &idp, ADMIN_NIP, PW).await, 303);
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let id = format!("uji-{n}");
                if acknowledged_opd(&admin, &idp, &id).await {
                    opds.lock().unwrap().push(id);
                }
            }
        }));
    }
    for _ in 0..3 {
        let (stop, acknowledged, idp) = (stop.clone(), acknowledged.clone(), idp.clone());
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(cookie) = acknowledged_sign_in(&idp).await {
                    acknowledged.lock().unwrap().push(cookie);
                }
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 10 || tokens.lock().unwrap().len() < 10 || opds.lock().unwrap().len() < 5
    {
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
    let tokens = tokens.lock().unwrap().clone();
    let opds = opds.lock().unwrap().clone();
    drop(demo);

    // The database opens (the command line migrates and checks the key on it) and is sound.
    let list = g.run(&["user", "list"]);
    assert!(list.ok && list.stdout.contains(NIP), "{} {}", list.stdout, list.stderr);
    if g.database_url().is_none() {
        let store = gerbang_core::store::Store::open_sqlite(&g.path().join("gerbang.db")).await.unwrap();
        assert!(store.integrity_check().await.unwrap(), "integrity_check after kill -9");
        store.close().await;
    }

    // Started again (on the same port: the same issuer), every acknowledged sign-in is still a
    // live session.
    let port = idp.rsplit(':').next().unwrap().trim_end_matches('/').to_string();
    let demo = Demo::start_at(&g, &format!("127.0.0.1:{port}"));
    let idp = demo.str("idp_url");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for cookie in &acknowledged {
        let r = http.get(format!("{idp}/akun")).header("cookie", cookie).send().await.unwrap();
        assert_eq!(r.status(), 200, "an acknowledged sign-in was lost ({} acknowledged)", acknowledged.len());
    }
    assert!(acknowledged_sign_in(&idp).await.is_some(), "signs in after the restart");
    for t in &tokens {
        assert!(active(&idp, &secret, t).await, "an acknowledged token is not active ({} acknowledged)", tokens.len());
    }
    assert!(!active(&idp, &secret, "bukan-token").await);
    let admin = client();
    assert_eq!(sign_in(&admin, &idp, ADMIN_NIP, PW).await, 303);
    for id in &opds {
        let r = admin.get(format!("{idp}/admin/opd/{id}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "an acknowledged OPD {id} was lost ({} acknowledged)", opds.len());
    }
}
