//! HTTPS on a listener: rustls with a certificate reloaded from disk, HSTS, and the http→https redirect.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use axum::Router;
use axum::extract::Request;
use axum::http::header::{HOST, LOCATION, STRICT_TRANSPORT_SECURITY};
use axum::http::uri::Authority;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::Service;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::TlsConfig;

/// How often `gerbang serve` looks at the certificate files.
pub const RELOAD_EVERY: Duration = Duration::from_secs(5);

/// A client that opens TCP and then says nothing must not hold a task for ever.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS needs both cert_file and key_file")]
    NotConfigured,
    #[error("TLS certificate file {}: {source}", path.display())]
    CertFile { path: PathBuf, source: pem::Error },
    #[error("TLS certificate file {}: no PEM CERTIFICATE block", path.display())]
    NoCertificate { path: PathBuf },
    #[error("TLS private key file {}: {source}", path.display())]
    KeyFile { path: PathBuf, source: pem::Error },
    #[error("TLS private key file {}: no PEM private key block (PKCS#8, PKCS#1 or SEC1)", path.display())]
    NoKey { path: PathBuf },
    #[error("TLS private key file {} does not fit certificate file {}: {source}", key.display(), cert.display())]
    KeyRejected { key: PathBuf, cert: PathBuf, source: rustls::Error },
    #[error("TLS setup: {0}")]
    Setup(rustls::Error),
}

/// The TLS side of one HTTPS listener. Clones share the certificate.
#[derive(Clone)]
pub struct TlsServer {
    acceptor: TlsAcceptor,
    resolver: Arc<CertResolver>,
}

impl TlsServer {
    /// Loads the pair named in the configuration; fails naming the file that is missing or bad.
    pub fn from_config(config: &TlsConfig) -> Result<TlsServer, TlsError> {
        match (&config.cert_file, &config.key_file) {
            (Some(cert), Some(key)) => TlsServer::load(cert, key),
            _ => Err(TlsError::NotConfigured),
        }
    }

    pub fn load(cert_file: impl Into<PathBuf>, key_file: impl Into<PathBuf>) -> Result<TlsServer, TlsError> {
        // Set explicitly: ring is the workspace's one crypto, and a process-wide default
        // provider would depend on which crate happened to install one first.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let files = CertFiles { cert: cert_file.into(), key: key_file.into() };
        // Stamped before reading, so a change made while we read is seen at the next poll.
        let stamps = files.stamps();
        let current = files.load(&provider)?;
        let resolver = Arc::new(CertResolver {
            current: ArcSwap::from_pointee(current),
            loaded: stamps,
            files,
            provider: provider.clone(),
        });
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Setup)?
            .with_no_client_auth()
            .with_cert_resolver(resolver.clone());
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsServer { acceptor: TlsAcceptor::from(Arc::new(config)), resolver })
    }

    /// Re-reads the files when they change, checking every `every`. The task ends by itself once
    /// no listener or clone uses this certificate any more.
    pub fn watch(&self, every: Duration) -> JoinHandle<()> {
        let resolver = Arc::downgrade(&self.resolver);
        let loaded = self.resolver.loaded;
        tokio::spawn(watch_files(resolver, loaded, every))
    }
}

/// Hands rustls whatever certificate was loaded last.
struct CertResolver {
    current: ArcSwap<CertifiedKey>,
    loaded: Stamps,
    files: CertFiles,
    provider: Arc<CryptoProvider>,
}

impl std::fmt::Debug for CertResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertResolver").field("files", &self.files).finish_non_exhaustive()
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

#[derive(Debug)]
struct CertFiles {
    cert: PathBuf,
    key: PathBuf,
}

/// Modification time and size of a file; `None` while it cannot be read (e.g. mid-rotation).
type Stamp = Option<(Option<SystemTime>, u64)>;
type Stamps = (Stamp, Stamp);

impl CertFiles {
    fn stamps(&self) -> Stamps {
        // `metadata` follows symlinks, so certbot's live/ links switching to a new archive
        // file count as a change.
        let stamp = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()));
        (stamp(&self.cert), stamp(&self.key))
    }

    fn load(&self, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
        let cert_err = |source| TlsError::CertFile { path: self.cert.clone(), source };
        let chain = CertificateDer::pem_file_iter(&self.cert)
            .map_err(cert_err)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(cert_err)?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate { path: self.cert.clone() });
        }
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|source| match source {
            pem::Error::NoItemsFound => TlsError::NoKey { path: self.key.clone() },
            source => TlsError::KeyFile { path: self.key.clone(), source },
        })?;
        // Also checks that the key is the certificate's: serving a mismatched pair would fail
        // every handshake.
        CertifiedKey::from_der(chain, key, provider).map_err(|source| TlsError::KeyRejected {
            key: self.key.clone(),
            cert: self.cert.clone(),
            source,
        })
    }
}

async fn watch_files(resolver: Weak<CertResolver>, mut loaded: Stamps, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = loaded;
    loop {
        ticks.tick().await;
        let Some(resolver) = resolver.upgrade() else { return };
        let now = resolver.files.stamps();
        // Load only once the stamps hold still for one interval: renewal tools write the
        // certificate and the key one after the other, and a half-written pair would be refused.
        let settled = now == seen;
        seen = now;
        if now == loaded || !settled {
            continue;
        }
        // Remembered even when loading fails, so a bad file is reported once, not every poll.
        loaded = now;
        match resolver.files.load(&resolver.provider) {
            Ok(key) => {
                resolver.current.store(Arc::new(key));
                tracing::info!(cert_file = %resolver.files.cert.display(), "TLS certificate reloaded");
            }
            Err(e) => tracing::error!(error = %e, "TLS certificate not reloaded; the previous one stays in use"),
        }
    }
}

/// Serves HTTPS until `shutdown` completes, then stops accepting and drains open connections.
/// Handlers get `ConnectInfo<SocketAddr>` exactly as with [`super::serve`].
pub async fn serve_tls<F>(listener: TcpListener, router: Router, tls: TlsServer, shutdown: F) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = Builder::new(TokioExecutor::new());
    // The timer gives HTTP/1 hyper's 30 s header-read timeout: after the handshake, a client
    // that sends nothing is dropped too.
    builder.http1().timer(TokioTimer::new());
    // Extended CONNECT (RFC 8441): WebSockets over HTTP/2, as `axum::serve` allows.
    builder.http2().timer(TokioTimer::new()).enable_connect_protocol();
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // TLS writes whole records; Nagle would only hold back handshake flights.
        let _ = tcp.set_nodelay(true);
        // What `serve` does per connection: the router with `ConnectInfo(remote)` added. This
        // make-service is always ready, so `poll_ready` is skipped.
        let service = make_service.call(remote).await.unwrap_or_else(|never| match never {});
        let service = TowerToHyperService::new(service);
        let acceptor = tls.acceptor.clone();
        let builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => return tracing::debug!(%remote, error = %e, "TLS handshake failed"),
                Err(_) => return tracing::debug!(%remote, "TLS handshake timed out"),
            };
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Keeps the accept loop alive: a reset peer is nothing; running out of file descriptors
/// passes once connections close, so wait a moment instead of spinning.
async fn accept_failed(e: io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
        return tracing::debug!(error = %e, "accept failed");
    }
    tracing::error!(error = %e, "accept failed; retrying in 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// Adds `Strict-Transport-Security: max-age=N` (none when N is 0). Only for HTTPS listeners:
/// browsers ignore the header over plain HTTP (RFC 6797 §8.1). No `includeSubDomains`: other
/// city services under the same domain may not speak HTTPS yet.
pub fn with_hsts(router: Router, max_age_secs: u64) -> Router {
    if max_age_secs == 0 {
        return router;
    }
    let value = HeaderValue::from_str(&format!("max-age={max_age_secs}")).expect("digits are a valid header value");
    // Overriding: the listener's TLS is the operator's, and so is its HSTS policy; an upstream
    // behind the gateway speaks plain HTTP and cannot know better.
    router.layer(SetResponseHeaderLayer::overriding(STRICT_TRANSPORT_SECURITY, value))
}

/// The plain-HTTP listener: every request gets a 308 (method and body kept) to the same host and
/// path on `https_port`.
pub fn redirect_router(https_port: u16) -> Router {
    Router::new().fallback(move |req: Request| async move { redirect(&req, https_port) })
}

fn redirect(req: &Request, https_port: u16) -> Response {
    let Some(host) = request_host(req) else {
        return (StatusCode::BAD_REQUEST, "Header Host tidak sah. / Invalid Host header.").into_response();
    };
    let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    match HeaderValue::try_from(format!("https://{host}{port}{path}")) {
        Ok(location) => (StatusCode::PERMANENT_REDIRECT, [(LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "Permintaan tidak sah. / Invalid request.").into_response(),
    }
}

/// The host, without its port, from `Host` (or the HTTP/2 authority). Only DNS names and IP
/// literals pass: the value goes into `Location`, so nothing that could change the URL's
/// meaning (userinfo, `%`, `\`) is echoed back.
fn request_host(req: &Request) -> Option<String> {
    let raw = match req.headers().get(HOST) {
        Some(value) => value.to_str().ok()?,
        None => req.uri().authority()?.as_str(),
    };
    let authority: Authority = raw.parse().ok()?;
    let host = authority.host();
    let ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && !authority.as_str().contains('@')
                && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }
    };
    ok.then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::body::Body;
    use axum::extract::ConnectInfo;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::sync::oneshot;
    use tower::ServiceExt;

    use super::*;

    struct Pair {
        cert: String,
        key: String,
    }

    fn self_signed() -> Pair {
        let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
        Pair { cert: made.cert.pem(), key: made.key_pair.serialize_pem() }
    }

    struct Files {
        _dir: tempfile::TempDir,
        cert: PathBuf,
        key: PathBuf,
    }

    impl Files {
        fn new(pair: &Pair) -> Files {
            let dir = tempfile::tempdir().unwrap();
            let files =
                Files { cert: dir.path().join("fullchain.pem"), key: dir.path().join("privkey.pem"), _dir: dir };
            files.write(pair);
            files
        }

        fn write(&self, pair: &Pair) {
            std::fs::write(&self.key, &pair.key).unwrap();
            std::fs::write(&self.cert, &pair.cert).unwrap();
        }
    }

    struct Running {
        addr: SocketAddr,
        stop: oneshot::Sender<()>,
        task: JoinHandle<io::Result<()>>,
    }

    impl Running {
        async fn start(files: &Files) -> Running {
            let tls = TlsServer::load(&files.cert, &files.key).unwrap();
            tls.watch(Duration::from_millis(200));
            let app = Router::new()
                .route("/", get(|| async { "halo" }))
                .route("/peer", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }))
                .route("/echo", get(echo_upgrade));
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (stop, stopped) = oneshot::channel::<()>();
            let shutdown = async move {
                let _ = stopped.await;
            };
            let task = tokio::spawn(serve_tls(listener, with_hsts(app, 600), tls, shutdown));
            Running { addr, stop, task }
        }

        fn url(&self, path: &str) -> String {
            format!("https://localhost:{}{path}", self.addr.port())
        }

        async fn stop(self) {
            let _ = self.stop.send(());
            let done = tokio::time::timeout(Duration::from_secs(5), self.task).await;
            done.expect("server drains within 5 s").unwrap().unwrap();
        }
    }

    /// A client that trusts only `pair`'s certificate.
    fn client(pair: &Pair, addr: SocketAddr) -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(pair.cert.as_bytes()).unwrap())
            .resolve("localhost", addr)
            .build()
            .unwrap()
    }

    async fn served_to(pair: &Pair, server: &Running) -> bool {
        client(pair, server.addr).get(server.url("/")).send().await.is_ok()
    }

    async fn wait_until_served_to(pair: &Pair, server: &Running) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !served_to(pair, server).await {
            assert!(Instant::now() < deadline, "new certificate not served within 5 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Answers 101 and then echoes four bytes on the raw connection.
    async fn echo_upgrade(mut req: Request) -> Response {
        let upgrade = hyper::upgrade::on(&mut req);
        tokio::spawn(async move {
            let mut io = TokioIo::new(upgrade.await.unwrap());
            let mut buf = [0u8; 4];
            io.read_exact(&mut buf).await.unwrap();
            io.write_all(&buf).await.unwrap();
        });
        Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header("connection", "upgrade")
            .header("upgrade", "echo")
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn serves_https_with_hsts_and_picks_up_a_renewed_certificate() {
        let first = self_signed();
        let files = Files::new(&first);
        let server = Running::start(&files).await;

        let response = client(&first, server.addr).get(server.url("/")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[STRICT_TRANSPORT_SECURITY], "max-age=600");
        assert_eq!(response.text().await.unwrap(), "halo");
        let peer = client(&first, server.addr).get(server.url("/peer")).send().await.unwrap();
        assert!(peer.text().await.unwrap().starts_with("127.0.0.1:"));

        let second = self_signed();
        files.write(&second);
        wait_until_served_to(&second, &server).await;
        assert!(!served_to(&first, &server).await, "the old certificate is no longer served");
        server.stop().await;
    }

    #[tokio::test]
    async fn a_bad_new_file_leaves_the_last_good_certificate_serving() {
        let first = self_signed();
        let files = Files::new(&first);
        let server = Running::start(&files).await;

        std::fs::write(&files.cert, "not a certificate").unwrap();
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert!(served_to(&first, &server).await);

        // The watcher survived the bad file and still takes a good one.
        let second = self_signed();
        files.write(&second);
        wait_until_served_to(&second, &server).await;
        server.stop().await;
    }

    #[tokio::test]
    async fn upgrades_pass_through_tls() {
        let pair = self_signed();
        let files = Files::new(&pair);
        let server = Running::start(&files).await;

        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(pair.cert.as_bytes()).unwrap()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.unwrap();

        tls.write_all(b"GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n")
            .await
            .unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(tls.read_u8().await.unwrap());
        }
        assert!(head.starts_with(b"HTTP/1.1 101"), "{}", String::from_utf8_lossy(&head));
        tls.write_all(b"ping").await.unwrap();
        let mut echoed = [0u8; 4];
        tls.read_exact(&mut echoed).await.unwrap();
        assert_eq!(&echoed, b"ping");
        server.stop().await;
    }

    #[test]
    fn a_missing_or_bad_file_is_named_at_start() {
        let files = Files::new(&self_signed());
        let missing = files.cert.with_file_name("missing.pem");

        let err = TlsServer::load(&missing, &files.key).err().unwrap();
        assert!(matches!(&err, TlsError::CertFile { path, .. } if *path == missing), "{err:?}");
        assert!(err.to_string().contains("missing.pem"), "{err}");

        let err = TlsServer::load(&files.cert, &missing).err().unwrap();
        assert!(matches!(&err, TlsError::KeyFile { path, .. } if *path == missing), "{err:?}");

        std::fs::write(&files.key, "garbage").unwrap();
        let err = TlsServer::load(&files.cert, &files.key).err().unwrap();
        assert!(matches!(&err, TlsError::NoKey { path } if *path == files.key), "{err:?}");

        std::fs::write(&files.key, self_signed().key).unwrap();
        let err = TlsServer::load(&files.cert, &files.key).err().unwrap();
        assert!(matches!(err, TlsError::KeyRejected { .. }), "{err:?}");

        std::fs::write(&files.cert, "garbage").unwrap();
        let err = TlsServer::load(&files.cert, &files.key).err().unwrap();
        assert!(matches!(err, TlsError::NoCertificate { .. }), "{err:?}");

        assert!(matches!(TlsServer::from_config(&TlsConfig::default()), Err(TlsError::NotConfigured)));
    }

    async fn redirect_of(https_port: u16, host: Option<&str>, uri: &str) -> (StatusCode, Option<String>) {
        let mut req = Request::builder().uri(uri);
        if let Some(host) = host {
            req = req.header(HOST, host);
        }
        let response = redirect_router(https_port).oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
        let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string());
        (response.status(), location)
    }

    #[tokio::test]
    async fn redirects_to_https_on_the_same_host() {
        let permanent = StatusCode::PERMANENT_REDIRECT;
        assert_eq!(
            redirect_of(8443, Some("example.test:8080"), "/a?b=1").await,
            (permanent, Some("https://example.test:8443/a?b=1".into()))
        );
        assert_eq!(
            redirect_of(443, Some("Sso.Example.Test"), "/").await,
            (permanent, Some("https://sso.example.test/".into()))
        );
        assert_eq!(redirect_of(443, Some("[::1]:80"), "/x").await, (permanent, Some("https://[::1]/x".into())));
        for bad in [None, Some(""), Some(":80"), Some("user@evil.test"), Some("a%2fb"), Some("[zz]")] {
            assert_eq!(redirect_of(443, bad, "/").await, (StatusCode::BAD_REQUEST, None), "{bad:?}");
        }
    }
}
