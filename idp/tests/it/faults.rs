//! The database goes away under load and comes back: every answer meanwhile is a clean 503
//! (a readable page, or OAuth2 `temporarily_unavailable`), never a 500 or a dropped connection,
//! and service resumes by itself. PostgreSQL is cut off by a TCP relay between the server and
//! the database, so other tests sharing the cluster are not disturbed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use gerbang_core::crypto::{Keys, MasterKey};
use gerbang_core::store::Store;
use gerbang_core::testing::TestDb;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::support::TestServer;

const NIP: &str = "198001012005011001";
const PW: &str = "kata-sandi-panjang";

/// A TCP relay that can be cut (every connection closed, new ones refused) and mended.
struct Relay {
    addr: SocketAddr,
    up: watch::Sender<bool>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (up, watcher) = watch::channel(true);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !*watcher.borrow() {
                    continue; // dropped: refused
                }
                let mut down = watcher.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = down.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Relay { addr, up }
    }

    fn cut(&self) {
        self.up.send_replace(false);
    }

    fn mend(&self) {
        self.up.send_replace(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_away_and_back_gets_clean_503s_and_recovery() {
    Box::pin(away_and_back()).await;
}

async fn away_and_back() {
    let Some((direct, db)) = TestDb::postgres("gerbang-idp faults::away_and_back").await else { return };
    let TestDb::Postgres { schema } = &db else { unreachable!("a PostgreSQL test database") };
    let url = url::Url::parse(&schema.url).unwrap();
    let upstream: SocketAddr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432)).parse().unwrap();
    let relay = Relay::start(upstream).await;
    let mut relayed = url.clone();
    relayed.set_host(Some("127.0.0.1")).unwrap();
    relayed.set_port(Some(relay.addr.port())).unwrap();
    direct.close().await;
    let store = Store::open_postgres(relayed.as_str()).await.unwrap();
    let srv = TestServer::serve(store, db, Keys::derive(&MasterKey::generate()), |_| {}).await;
    srv.with_asn(NIP, "Siti", PW).await;

    // Load: sign-ins, token requests and readiness checks, recording every answer.
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(std::sync::Mutex::new(Vec::<(String, u16, String)>::new()));
    let mut load = Vec::new();
    for worker in 0..3 {
        let (stop, seen, base) = (stop.clone(), seen.clone(), srv.url.clone());
        load.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap();
            while !stop.load(Ordering::Relaxed) {
                let (what, r) = match worker {
                    0 => ("readyz", http.get(format!("{base}/readyz")).send().await),
                    1 => (
                        "token",
                        http.post(format!("{base}/token"))
                            .form(&[("grant_type", "authorization_code"), ("code", "x"), ("client_id", "tidak-ada")])
                            .send()
                            .await,
                    ),
                    _ => (
                        "masuk",
                        http.get(format!("{base}/akun"))
                            .header("cookie", "gerbang_sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
                            .send()
                            .await,
                    ),
                };
                let r = r.unwrap_or_else(|e| panic!("{what}: the connection failed: {e}"));
                let status = r.status().as_u16();
                let body = r.text().await.unwrap_or_default();
                seen.lock().unwrap().push((what.to_string(), status, body.chars().take(300).collect()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = seen.lock().unwrap().len();
    relay.cut();
    // Long enough for every pooled connection to be found broken and the pool to time out.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let during = seen.lock().unwrap().len();
    relay.mend();

    // Service resumes by itself: readiness, then a real sign-in.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let ready = http_client().get(format!("{}/readyz", srv.url)).send().await.map(|r| r.status().as_u16());
        if matches!(ready, Ok(200)) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not ready again: {ready:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(srv.login(&srv.client(), NIP, PW).await.status(), 303, "signs in again without a restart");
    stop.store(true, Ordering::Relaxed);
    for l in load {
        l.await.unwrap();
    }

    let seen = seen.lock().unwrap().clone();
    assert!(during > before, "answers kept coming during the outage");
    let outage: Vec<&(String, u16, String)> = seen[before..during].iter().collect();
    assert!(outage.iter().any(|(_, s, _)| *s == 503), "the outage was seen as 503: {outage:?}");
    for (what, status, body) in &seen {
        assert_ne!(*status, 500, "{what}: a server error: {body}");
        if *status == 503 {
            match what.as_str() {
                "token" => assert!(body.contains("temporarily_unavailable"), "{body}"),
                "masuk" => assert!(body.contains("<html"), "a readable page: {body}"),
                _ => {}
            }
        }
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap()
}
