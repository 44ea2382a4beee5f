//! Test fixtures: `TestServer::start(backend)` runs the IdP on a fresh database.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use gerbang_core::config::{Config, LogConfig};
use gerbang_core::crypto::{Keys, MasterKey, PasswordHasher};
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::store::Store;
use gerbang_core::testing::TestDb;
use gerbang_idp::accounts::{AccountService, Actor, Identity, NewIdentity};
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    /// Carries the test name for skip reporting.
    Postgres(&'static str),
}

pub struct TestServer {
    /// The issuer (the public URL); the address listened on unless a test set another.
    pub url: String,
    /// The address this server really listens on.
    pub addr: String,
    pub store: Store,
    pub accounts: AccountService,
    pub clients: gerbang_idp::oidc::client::ClientService,
    pub config: Config,
    pub db: TestDb,
    pub state: gerbang_idp::AppState,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // The schema of a PostgreSQL test is dropped after this (with a lock timeout, see
        // `gerbang_core::testing::PgSchema`); nothing here blocks the runtime.
    }
}

impl TestServer {
    /// `None` when the backend is PostgreSQL and it is not configured (reported as skipped).
    pub async fn start(backend: Backend) -> Option<TestServer> {
        TestServer::start_with(backend, |_| {}).await
    }

    /// Like `start`, with the configuration adjusted first.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Option<TestServer> {
        capture_logs();
        let (store, db) = match backend {
            Backend::Sqlite => TestDb::sqlite().await,
            Backend::Postgres(test) => TestDb::postgres(test).await?,
        };
        Some(TestServer::serve(store, db, Keys::derive(&MasterKey::generate()), adjust).await)
    }

    /// A second server (another replica) on the same database and keys.
    pub async fn replica(&self, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let db = match &self.db {
            TestDb::Sqlite { .. } => TestDb::Sqlite { dir: tempfile::tempdir().expect("dir") },
            TestDb::Postgres { .. } => TestDb::Sqlite { dir: tempfile::tempdir().expect("dir") },
        };
        TestServer::serve(self.store.clone(), db, self.state.keys.clone(), adjust).await
    }

    pub(crate) async fn serve(store: Store, db: TestDb, keys: Keys, adjust: impl FnOnce(&mut Config)) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let addr = url.clone();
        // The issuer is the address the server really listens on.
        let mut config = Config::default();
        config.idp.public_url = url.clone();
        config.policies_dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies"));
        config.idp.themes_dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../themes"));
        // Test clients redirect to loopback (allowed in demo mode only) and to a few `.example`
        // names, registered here as the domain register of Pasal 11 requires.
        config.demo = true;
        adjust(&mut config);
        let url = config.idp.public_url.clone();
        register_test_domains(&store).await;
        let state = gerbang_idp::AppState::new(&config, store.clone(), keys).await.expect("state");
        let accounts = state.accounts.clone();
        let clients = state.clients.clone();
        let app_state = state.clone();
        gerbang_idp::oidc::backchannel::spawn(state.clone());
        gerbang_idp::replicas::spawn(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let app = gerbang_idp::router(state);
        tokio::spawn(gerbang_core::http::serve(listener, app, async move {
            let _ = stopped.await;
        }));
        TestServer { url, addr, store, accounts, clients, config, db, state: app_state, stop: Some(stop) }
    }

    pub async fn with_asn(&self, nip: &str, name: &str, password: &str) -> String {
        let identity = Identity::Nip(Nip::parse(nip).expect("test NIP"));
        self.create(identity, name, password).await
    }

    pub async fn with_warga(&self, nik: &str, name: &str, password: &str) -> String {
        let identity = Identity::Nik(Nik::parse(nik).expect("test NIK"));
        self.create(identity, name, password).await
    }

    async fn create(&self, identity: Identity, name: &str, password: &str) -> String {
        let new = NewIdentity { identity, name: name.into(), password: Some(password.into()), roles: vec![] };
        self.accounts.create(new, Actor("test")).await.expect("create account")
    }

    /// An account service with other password parameters, on the same database and keys.
    pub fn hasher_with(&self, memory_kib: u32) -> PasswordHasher {
        let mut p = self.config.password.clone();
        p.memory_kib = memory_kib;
        p.iterations = 1;
        PasswordHasher::new(&p).expect("hasher")
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Opens the login page and signs in; returns the response to the form post.
    pub async fn login(&self, client: &reqwest::Client, identifier: &str, password: &str) -> reqwest::Response {
        let page = client.get(format!("{}/masuk", self.url)).send().await.expect("get /masuk");
        assert_eq!(page.status(), 200);
        let token = csrf_token(&page.text().await.expect("body"));
        client
            .post(format!("{}/masuk", self.url))
            .form(&[
                ("csrf", token.as_str()),
                ("identifier", identifier),
                ("password", password),
                ("return_to", "/akun"),
            ])
            .send()
            .await
            .expect("post /masuk")
    }
}

/// The hidden CSRF field of a rendered form.
pub fn csrf_token(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().expect("csrf value").to_string()
}

/// Everything the IdP logged in this test binary, at TRACE level.
pub fn logs() -> String {
    let buf = LOGS.get().expect("logs captured").lock().expect("log lock");
    String::from_utf8_lossy(&buf).into_owned()
}

/// The captured log lines containing `needle` (e.g. the server errors behind a failed page).
pub fn logs_matching(needle: &str) -> String {
    logs().lines().filter(|l| l.contains(needle)).collect::<Vec<_>>().join("\n")
}

static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    let buf = LOGS.get_or_init(|| Arc::new(Mutex::new(Vec::new()))).clone();
    let capture = Capture(buf);
    gerbang_core::telemetry::init_with_writer(
        &LogConfig { level: "trace".into(), ..LogConfig::default() },
        move || capture.clone(),
    );
}

/// A relying party's back-channel logout endpoint that records what it receives.
pub struct LogoutReceiver {
    pub url: String,
    pub tokens: Arc<Mutex<Vec<String>>>,
    _stop: oneshot::Sender<()>,
}

impl LogoutReceiver {
    pub async fn start() -> LogoutReceiver {
        use axum::routing::post;
        let tokens = Arc::new(Mutex::new(Vec::new()));
        let sink = tokens.clone();
        let app = axum::Router::new().route(
            "/backchannel",
            post(move |axum::Form(form): axum::Form<std::collections::HashMap<String, String>>| {
                let sink = sink.clone();
                async move {
                    sink.lock().expect("lock").push(form.get("logout_token").cloned().unwrap_or_default());
                    axum::http::StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/backchannel", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        LogoutReceiver { url, tokens, _stop: stop }
    }
}

/// The `.example` domains test clients use, in the domain register.
async fn register_test_domains(store: &Store) {
    use gerbang_core::store::{DomainRecord, RegisterStore};
    let mut tx = store.begin().await.expect("begin");
    for name in ["a.example", "spa.example", "x.example", "other.example"] {
        if tx.domain(name).await.expect("domain").is_some() {
            continue;
        }
        let record = DomainRecord {
            name: name.into(),
            opd_id: None,
            decree_number: "test".into(),
            decree_date: "2026-01-01".into(),
            status: "active".into(),
            note: String::new(),
            created_at: 0,
            updated_at: 0,
        };
        tx.insert_domain(&record).await.expect("insert domain");
    }
    tx.commit().await.expect("commit");
}

/// Runs one SQL statement on the test database (to age or expire rows).
pub async fn sql(store: &Store, statement: &str) {
    use gerbang_core::store::Tx;
    let mut tx = store.begin().await.expect("begin");
    match &mut tx {
        Tx::Sqlite(t) => {
            sqlx::query(statement).execute(&mut **t).await.expect("sql");
        }
        Tx::Postgres(t) => {
            sqlx::query(statement).execute(&mut **t).await.expect("sql");
        }
    }
    tx.commit().await.expect("commit");
}
