//! A running stack for gateway tests: the real IdP and the real gateway, in this process on
//! loopback ports, an upstream that echoes what it received, and policies in a temp directory.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::any;
use gerbang_core::config::Config;
use gerbang_core::crypto::{Keys, MasterKey};
use gerbang_core::ids::{Nik, Nip};
use gerbang_core::policy::PolicyWatch;
use gerbang_core::store::Store;
use gerbang_core::testing::TestDb;
use gerbang_idp::accounts::{AccountService, Actor, Identity, NewIdentity};
use gerbang_idp::oidc::client::{AuthMethod, ClientKind, ClientService, GrantType, NewClient};
use gerbang_idp::oidc::keys::SigningAlg;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const HOST_A: &str = "app-a.localhost";
pub const HOST_B: &str = "app-b.localhost";
pub const PASSWORD: &str = "kata-sandi-uji-123";

pub struct Stack {
    pub idp: String,
    pub gateway: SocketAddr,
    pub upstream: SocketAddr,
    pub policies: PathBuf,
    pub store: Store,
    pub keys: Keys,
    pub config: Config,
    pub accounts: AccountService,
    pub clients: ClientService,
    _db: TestDb,
    _dir: tempfile::TempDir,
    stops: Vec<oneshot::Sender<()>>,
}

impl Drop for Stack {
    fn drop(&mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
    }
}

/// `routes.toml` text for the stack; `{up}` is replaced with the upstream address.
impl Stack {
    pub async fn start(routes: &str, networks: &str, adjust: impl FnOnce(&mut Config)) -> Stack {
        let (store, db) = TestDb::sqlite().await;
        let keys = Keys::derive(&MasterKey::generate());
        let dir = tempfile::tempdir().expect("dir");
        let policies = dir.path().join("policies");
        std::fs::create_dir_all(&policies).unwrap();
        let mut stops = Vec::new();

        let upstream = serve(echo_upstream(), &mut stops).await;
        std::fs::write(policies.join("networks.toml"), networks).unwrap();
        std::fs::write(policies.join("routes.toml"), routes.replace("{up}", &upstream.to_string())).unwrap();

        let idp_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gw_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let idp = format!("http://{}", idp_listener.local_addr().unwrap());
        let gateway = gw_listener.local_addr().unwrap();
        let mut config = Config::default();
        config.idp.public_url = idp.clone();
        config.idp.themes_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/themes"));
        config.policies_dir = policies.clone();
        // Test hosts are *.localhost and 127.0.0.1, allowed as registered domains in demo mode only.
        config.demo = true;
        config.proxy.public_url = format!("http://{gateway}");

        let state = gerbang_idp::AppState::new(&config, store.clone(), keys.clone()).await.expect("idp state");
        gerbang_idp::oidc::backchannel::spawn(state.clone());
        let accounts = state.accounts.clone();
        let clients = state.clients.clone();
        let redirects = [HOST_A, HOST_B].map(|h| format!("http://{h}:{}/.gerbang/callback", gateway.port()));
        let (_, secret) = clients
            .create(
                NewClient {
                    id: Some("gerbang-gateway".into()),
                    name: "Gerbang".into(),
                    kind: ClientKind::Confidential,
                    auth_method: AuthMethod::ClientSecretBasic,
                    redirect_uris: redirects.to_vec(),
                    post_logout_redirect_uris: vec![],
                    grant_types: vec![GrantType::AuthorizationCode],
                    scopes: ["openid", "profile", "nip", "roles"].map(String::from).to_vec(),
                    approved_claims: vec![],
                    id_token_alg: SigningAlg::Es256,
                    sector: None,
                    jwks: None,
                    backchannel_logout_uri: Some(format!("http://{gateway}/.gerbang/backchannel-logout")),
                    skip_consent: true,
                },
                Actor("test"),
            )
            .await
            .expect("gateway client");
        config.proxy.client_secret = secret.expect("a confidential client has a secret").into();
        adjust(&mut config);

        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        tokio::spawn(gerbang_core::http::serve(idp_listener, gerbang_idp::router(state), async move {
            let _ = stopped.await;
        }));
        let mut stack = Stack {
            idp,
            gateway,
            upstream,
            policies,
            store,
            keys,
            config,
            accounts,
            clients,
            _db: db,
            _dir: dir,
            stops,
        };
        stack.gateway_on(gw_listener).await;
        stack
    }

    /// Serves a gateway (the first, or another replica sharing the database) on `listener`.
    pub async fn gateway_on(&mut self, listener: tokio::net::TcpListener) {
        let policies = PolicyWatch::load(&self.policies).expect("policies");
        let gw = gerbang_proxy::Gateway::new(&self.config, policies, self.store.clone(), &self.keys).expect("gateway");
        gw.spawn_background(Duration::from_millis(200));
        let (stop, stopped) = oneshot::channel::<()>();
        self.stops.push(stop);
        tokio::spawn(gerbang_core::http::serve(listener, gerbang_proxy::router(gw), async move {
            let _ = stopped.await;
        }));
    }

    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.gateway.port())
    }

    /// A browser-like client: cookies kept, redirects followed by hand, routed hosts resolved to
    /// the gateway.
    pub fn browser(&self) -> reqwest::Client {
        self.browser_with_jar().0
    }

    /// A browser and its cookie jar, to read or copy cookies.
    pub fn browser_with_jar(&self) -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let c = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .resolve(HOST_A, self.gateway)
            .resolve(HOST_B, self.gateway)
            .build()
            .expect("client");
        (c, jar)
    }

    pub async fn asn(&self, nip: &str, name: &str) -> String {
        self.create(Identity::Nip(Nip::parse(nip).expect("test NIP")), name).await
    }

    pub async fn warga(&self, nik: &str, name: &str) -> String {
        self.create(Identity::Nik(Nik::parse(nik).expect("test NIK")), name).await
    }

    async fn create(&self, identity: Identity, name: &str) -> String {
        let new = NewIdentity {
            identity,
            name: name.into(),
            password: Some(PASSWORD.into()),
            roles: vec!["developer".into()],
        };
        self.accounts.create(new, Actor("test")).await.expect("create account")
    }
}

async fn serve(app: Router, stops: &mut Vec<oneshot::Sender<()>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    stops.push(stop);
    tokio::spawn(gerbang_core::http::serve(listener, app, async move {
        let _ = stopped.await;
    }));
    addr
}

/// The upstream: `/count/…` streams the body and answers its length; `/slow/…` waits 3 s;
/// anything else answers what it received as JSON.
fn echo_upstream() -> Router {
    Router::new().fallback(any(|request: Request| async move {
        let path = request.uri().path().to_string();
        if path.starts_with("/slow/") {
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        let method = request.method().to_string();
        let query = request.uri().query().unwrap_or("").to_string();
        let headers: serde_json::Map<String, Value> =
            request.headers().iter().map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or("?")))).collect();
        let mut body = request.into_body();
        let mut length: u64 = 0;
        while let Some(frame) = body.frame().await {
            match frame {
                Ok(f) => length += f.data_ref().map_or(0, |d| d.len() as u64),
                Err(_) => return axum::response::IntoResponse::into_response(axum::http::StatusCode::BAD_REQUEST),
            }
        }
        let out = json!({ "method": method, "path": path, "query": query, "headers": headers, "length": length });
        axum::response::Response::builder()
            .header("content-type", "application/json")
            .header("set-cookie", "app=1; Path=/")
            .body(Body::from(out.to_string()))
            .unwrap()
    }))
}

/// The `value` of `<input type="hidden" name="NAME" value="…">` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.replace("&amp;", "&").replace("&#x2f;", "/").replace("&#x3d;", "="))
}

/// Follows redirects (keeping cookies) until a response that is not a redirect.
pub async fn follow(c: &reqwest::Client, mut url: String) -> (reqwest::Response, String) {
    for _ in 0..15 {
        let r = c.get(&url).send().await.expect("request");
        if !r.status().is_redirection() {
            return (r, url);
        }
        let location = r.headers()["location"].to_str().unwrap().to_string();
        url = if location.starts_with('/') {
            let u = reqwest::Url::parse(&url).unwrap();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{}{port}{location}", u.scheme(), u.host_str().unwrap())
        } else {
            location
        };
    }
    panic!("too many redirects from {url}");
}

/// Opens `url` through the gateway and signs in at the IdP's form when asked; returns the final
/// response and its URL.
pub async fn open_signing_in(c: &reqwest::Client, url: &str, identifier: &str) -> (reqwest::Response, String) {
    let (r, at) = follow(c, url.to_string()).await;
    if !at.contains("/masuk") {
        return (r, at);
    }
    let html = r.text().await.unwrap();
    let csrf = hidden(&html, "csrf").expect("csrf on the login form");
    let return_to = hidden(&html, "return_to").unwrap_or_default();
    let base = at.split("/masuk").next().unwrap().to_string();
    let posted = c
        .post(format!("{base}/masuk"))
        .form(&[("csrf", csrf.as_str()), ("return_to", &return_to), ("identifier", identifier), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303, "sign-in accepted");
    let next = posted.headers()["location"].to_str().unwrap().to_string();
    let next = if next.starts_with('/') { format!("{base}{next}") } else { next };
    follow(c, next).await
}
