//! The gateway end to end: the real IdP, the real gateway and a real upstream on loopback.

mod nginx;
mod stack;

use serde_json::Value;
use stack::{HOST_A, HOST_B, Stack, follow, open_signing_in};

pub const NIP: &str = "198503302010011002";
pub const NIK: &str = "1374024107900001";

pub const ROUTES: &str = r#"
[[route]]
id = "kantor"
host = "app-a.localhost"
path = "/kantor/"
upstream = "http://{up}/kantor/"
level = "asn"

[[route]]
id = "kuat"
host = "app-a.localhost"
path = "/kuat/"
upstream = "http://{up}/kuat/"
level = "asn-kuat"

[[route]]
id = "warga"
host = "app-a.localhost"
path = "/warga/"
upstream = "http://{up}/warga/"
level = "warga"

[[route]]
id = "lan"
host = "app-a.localhost"
path = "/lan/"
upstream = "http://{up}/lan/"
level = "publik"
networks = ["kantor-pusat"]

[[route]]
id = "b"
host = "app-b.localhost"
upstream = "http://{up}/b/"
level = "asn"
"#;

pub const NETWORKS: &str = "[[network]]\nid = \"kantor-pusat\"\ncidrs = [\"10.20.0.0/16\"]\n";

async fn json(r: reqwest::Response) -> Value {
    assert_eq!(r.status(), 200, "upstream answered");
    r.json().await.expect("upstream JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_returns_to_the_original_url_with_identity_for_the_upstream() {
    let s = Stack::start(ROUTES, NETWORKS, |_| {}).await;
    s.asn(NIP, "Dewi Lestari").await;
    let (c, jar) = s.browser_with_jar();
    let start = s.url(HOST_A, "/kantor/surat?no=7");
    let r = c.get(&start).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to_idp = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to_idp.starts_with(&format!("{}/authorize?", s.idp)), "{to_idp}");
    for part in ["code_challenge_method=S256", "acr_values=asn", "client_id=gerbang-gateway", "nonce="] {
        assert!(to_idp.contains(part), "{part} in {to_idp}");
    }
    let login = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(login.contains("HttpOnly") && login.contains("SameSite=Lax") && !login.contains("Domain"), "{login}");

    let (r, at) = open_signing_in(&c, &start, NIP).await;
    assert_eq!(at, start, "back at the original URL");
    let seen = json(r).await;
    assert_eq!((seen["path"].as_str(), seen["query"].as_str()), (Some("/kantor/surat"), Some("no=7")));
    let h = &seen["headers"];
    assert_eq!(h["x-gerbang-nip"], NIP);
    assert_eq!(h["x-gerbang-name"], "Dewi Lestari");
    assert_eq!(h["x-gerbang-level"], "asn");
    assert_eq!(h["x-gerbang-roles"], "developer");
    // The gateway's metrics count its decisions (a login, then an allow) and its requests.
    let metrics = c.get(s.url(HOST_A, "/.gerbang/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    for series in [
        "gerbang_gateway_decisions_total{decision=\"login\"}",
        "gerbang_gateway_decisions_total{decision=\"allow\"}",
        "service=\"gateway\"",
    ] {
        assert!(text.contains(series), "{series} in {text}");
    }
    assert!(h["x-gerbang-sub"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(h["x-forwarded-host"], format!("{HOST_A}:{}", s.gateway.port()));
    assert_eq!(h["x-forwarded-for"], "127.0.0.1");
    assert!(h.get("cookie").is_none_or(|c| !c.as_str().unwrap().contains("gerbang_gw")), "gateway cookie kept back");

    // Spoofed identity headers never reach the upstream.
    let r = c
        .get(s.url(HOST_A, "/kantor/"))
        .header("X-Gerbang-Nip", "199001012020121001")
        .header("X-Gerbang-Level", "rahasia")
        .header("X-Gerbang-Roles", "admin")
        .send()
        .await
        .unwrap();
    let h = json(r).await["headers"].clone();
    assert_eq!((h["x-gerbang-nip"].as_str(), h["x-gerbang-level"].as_str()), (Some(NIP), Some("asn")));
    assert_eq!(h["x-gerbang-roles"], "developer");

    // The signed assertion verifies with the gateway's JWKS, for this route only.
    let assertion = h["x-gerbang-assertion"].as_str().expect("assertion").to_string();
    let jwks: jsonwebtoken::jwk::JwkSet =
        c.get(s.url(HOST_A, "/.gerbang/jwks.json")).send().await.unwrap().json().await.unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwks.keys[0]).unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.set_audience(&["kantor"]);
    v.set_issuer(&[format!("http://{}", s.gateway)]);
    let claims = jsonwebtoken::decode::<Value>(&assertion, &key, &v).expect("assertion verifies").claims;
    assert_eq!(claims["nip"], NIP);
    assert_eq!(claims["sub"], h["x-gerbang-sub"]);
    assert!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap() <= 60);
    v.set_audience(&["b"]);
    assert!(jsonwebtoken::decode::<Value>(&assertion, &key, &v).is_err(), "not valid for another route");
    let mut forged = assertion.clone();
    forged.replace_range(forged.len() - 5.., "AAAAA");
    v.set_audience(&["kantor"]);
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &v).is_err());

    // Another registered domain gets its own session (through the IdP's single sign-on: no
    // password asked again), never the first host's cookie.
    let r = c.get(s.url(HOST_B, "/x")).send().await.unwrap();
    assert_eq!(r.status(), 303, "no session on app-b yet");
    let (r, at) = follow(&c, s.url(HOST_B, "/x")).await;
    assert_eq!(at, s.url(HOST_B, "/x"), "single sign-on, no login form");
    assert_eq!(json(r).await["headers"]["x-gerbang-nip"], NIP);
    let copied = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(HOST_B, s.gateway)
        .build()
        .unwrap();
    use reqwest::cookie::CookieStore;
    let a_cookies = jar.cookies(&s.url(HOST_A, "/").parse().unwrap()).expect("cookies of app-a");
    assert!(a_cookies.to_str().unwrap().contains("gerbang_gw="));
    let r = copied.get(s.url(HOST_B, "/x")).header("cookie", a_cookies).send().await.unwrap();
    assert_eq!(r.status(), 303, "app-a's cookie is worthless on app-b");

    // Forward-auth as Traefik or Caddy call it (X-Forwarded-Uri; 302 with ?redirect=1).
    let auth = s.url(HOST_A, "/.gerbang/auth");
    let r = c.get(&auth).header("X-Forwarded-Uri", "/kantor/x").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-gerbang-nip"], NIP);
    assert_eq!(r.headers()["x-gerbang-level"], "asn");
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(HOST_A, s.gateway)
        .build()
        .unwrap();
    let r =
        anonymous.get(format!("{auth}?redirect=1")).header("X-Forwarded-Uri", "/kantor/x?a=1").send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], s.url(HOST_A, "/.gerbang/masuk?rd=%2Fkantor%2Fx%3Fa%3D1"));
    let r = anonymous.get(&auth).header("X-Forwarded-Uri", "/tidak-ada/").send().await.unwrap();
    assert_eq!(r.status(), 403, "forward-auth answers only 200, 401 or 403");
}

/// TOTP code `offset` seconds from now for a base32 secret as the enrolment page shows it.
fn totp_at(secret_text: &str, offset: u64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_text.replace(' ', "")).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + offset;
    totp_rs::Builder::new().with_secret(secret).build().unwrap().generate(now).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_level_too_low_leads_to_step_up_and_an_unreachable_level_to_a_clear_403() {
    let s = Stack::start(ROUTES, NETWORKS, |_| {}).await;
    let account = s.asn(NIP, "Dewi Lestari").await;
    let c = s.browser();
    let (r, _) = open_signing_in(&c, &s.url(HOST_A, "/kantor/"), NIP).await;
    assert_eq!(json(r).await["headers"]["x-gerbang-level"], "asn");

    // Without a second factor the provider cannot lift the sign-in: a page says why.
    let r = c.get(s.url(HOST_A, "/kuat/laporan")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("acr_values=asn-kuat") && to.contains("max_age=43200"), "{to}");
    let (r, _) = follow(&c, s.url(HOST_A, "/kuat/laporan")).await;
    assert_eq!(r.status(), 403);
    let page = r.text().await.unwrap();
    assert!(page.contains("asn-kuat") && page.contains("passkey") && page.contains("/akun"), "{page}");

    // With TOTP enrolled, the same request goes through the IdP's second step and arrives.
    let totp = gerbang_idp::factors::totp::TotpService::new(s.store.clone(), s.keys.totp_sealer.clone());
    let enrolment = totp.enrolment(&account, "uji").await.unwrap();
    totp.confirm(&account, &totp_at(&enrolment.secret_text, 0)).await.unwrap().expect("confirmed");
    let (r, at) = follow(&c, s.url(HOST_A, "/kuat/laporan")).await;
    assert!(at.contains("/masuk/langkah-2"), "asked for the second factor: {at}");
    let html = r.text().await.unwrap();
    let csrf = stack::hidden(&html, "csrf").expect("csrf");
    let base = at.split("/masuk").next().unwrap().to_string();
    let mut form = vec![("csrf".to_string(), csrf), ("code".to_string(), totp_at(&enrolment.secret_text, 30))];
    if let Some(req) = stack::hidden(&html, "req") {
        form.push(("req".into(), req));
    }
    // The next time step: the enrolment's code is spent (replay protection), one step of clock
    // skew is accepted.
    let r = c.post(format!("{base}/masuk/langkah-2")).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303, "code accepted");
    let next = r.headers()["location"].to_str().unwrap().to_string();
    let next = if next.starts_with('/') { format!("{base}{next}") } else { next };
    let (r, at) = follow(&c, next).await;
    assert_eq!(at, s.url(HOST_A, "/kuat/laporan"));
    let h = json(r).await["headers"].clone();
    assert_eq!(h["x-gerbang-level"], "asn-kuat");

    // A citizen cannot become ASN: refused at once, with the reason, without a sign-in round.
    s.warga(NIK, "Rina Marlina").await;
    let w = s.browser();
    let (r, _) = open_signing_in(&w, &s.url(HOST_A, "/warga/"), NIK).await;
    // Made by an administrator, so proven: the citizens' highest level.
    assert_eq!(json(r).await["headers"]["x-gerbang-level"], "warga-terverifikasi");
    let r = w.get(s.url(HOST_A, "/kantor/")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Aparatur Sipil Negara"));
    let r = w.get(s.url(HOST_A, "/kantor/")).header("Accept", "application/json").send().await.unwrap();
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!((body["error"].as_str(), body["reason"].as_str()), (Some("access_denied"), Some("not_asn")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_conditions_and_trusted_proxies() {
    // Without trusted proxies, X-Forwarded-For from the client is ignored.
    let s = Stack::start(ROUTES, NETWORKS, |_| {}).await;
    let c = s.browser();
    let r = c.get(s.url(HOST_A, "/lan/")).header("X-Forwarded-For", "10.20.1.1").send().await.unwrap();
    assert_eq!(r.status(), 403, "from outside the CIDR, whatever the client claims");
    assert!(r.text().await.unwrap().contains("Pasal 5"));
    drop(s);
    // Behind a trusted proxy (here: loopback), the address it reports is the client's.
    let s = Stack::start(ROUTES, NETWORKS, |c| c.proxy.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let c = s.browser();
    let r = c.get(s.url(HOST_A, "/lan/")).header("X-Forwarded-For", "10.20.1.1").send().await.unwrap();
    let h = json(r).await["headers"].clone();
    assert_eq!(h["x-gerbang-level"], "publik");
    assert_eq!(h["x-forwarded-for"], "10.20.1.1, 127.0.0.1", "the chain kept, the proxy appended");
    assert_eq!(h["x-real-ip"], "10.20.1.1");
    let r = c.get(s.url(HOST_A, "/lan/")).header("X-Forwarded-For", "10.20.1.1, 203.0.113.4").send().await.unwrap();
    assert_eq!(r.status(), 403, "the rightmost untrusted address counts, not one the client prepended");
    let r = c.get(s.url(HOST_A, "/tidak-ada/")).send().await.unwrap();
    assert_eq!(r.status(), 404, "unknown path: deny");
    let r = c.get(format!("http://127.0.0.1:{}/kantor/", s.gateway.port())).send().await.unwrap();
    assert_eq!(r.status(), 404, "unknown host: deny");
    // Another spelling of a protected path is the protected path; path parameters are refused.
    for other in ["/%6Bantor/x", "/KANTOR/x", "/Kantor"] {
        assert_eq!(c.get(s.url(HOST_A, other)).send().await.unwrap().status(), 303, "{other} needs sign-in");
    }
    assert_eq!(c.get(s.url(HOST_A, "/kantor;jsessionid=1/x")).send().await.unwrap().status(), 400);
    // The gateway's own prefix is never forwarded.
    assert_eq!(c.get(s.url(HOST_A, "/.gerbang/lain")).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_on_api_routes() {
    let routes = format!(
        "{ROUTES}\n[[route]]\nid = \"api\"\nhost = \"app-a.localhost\"\npath = \"/api/\"\nupstream = \"http://{{up}}/api/\"\n\
         level = \"publik\"\napi = true\naudiences = [\"svc\"]\n\n[[route]]\nid = \"api-warga\"\nhost = \"app-a.localhost\"\n\
         path = \"/api-warga/\"\nupstream = \"http://{{up}}/api-warga/\"\nlevel = \"warga\"\napi = true\naudiences = [\"svc\"]\n"
    );
    let s = Stack::start(&routes, NETWORKS, |_| {}).await;
    let (_, secret) = s
        .clients
        .create(
            gerbang_idp::oidc::client::NewClient {
                id: Some("svc".into()),
                name: "Layanan".into(),
                kind: gerbang_idp::oidc::client::ClientKind::Confidential,
                auth_method: gerbang_idp::oidc::client::AuthMethod::ClientSecretBasic,
                redirect_uris: vec![],
                post_logout_redirect_uris: vec![],
                grant_types: vec![gerbang_idp::oidc::client::GrantType::ClientCredentials],
                scopes: vec!["simpeg:read".into()],
                approved_claims: vec![],
                id_token_alg: gerbang_idp::oidc::keys::SigningAlg::Es256,
                sector: None,
                jwks: None,
                backchannel_logout_uri: None,
                skip_consent: true,
            },
            gerbang_idp::accounts::Actor("test"),
        )
        .await
        .unwrap();
    let c = s.browser();
    let token: Value = c
        .post(format!("{}/token", s.idp))
        .basic_auth("svc", secret)
        .form(&[("grant_type", "client_credentials"), ("scope", "simpeg:read")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let at = token["access_token"].as_str().expect("access token");
    let r = c.get(s.url(HOST_A, "/api/pegawai")).bearer_auth(at).send().await.unwrap();
    assert_eq!(json(r).await["headers"]["x-gerbang-sub"], "svc");

    let r = c.get(s.url(HOST_A, "/api/pegawai")).bearer_auth(format!("{at}x")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_token");

    // A machine token carries no sign-in: a person's level asks for one (RFC 9470 challenge).
    let r = c.get(s.url(HOST_A, "/api-warga/x")).bearer_auth(at).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap().to_string();
    assert!(challenge.contains("insufficient_user_authentication") && challenge.contains("acr_values=\"warga\""));
    // An API route never redirects a program to a login page.
    let r = c.get(s.url(HOST_A, "/api-warga/x")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "login_required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_hot_reload_and_a_bad_policy_kept_out() {
    let s = Stack::start(ROUTES, NETWORKS, |_| {}).await;
    let c = s.browser();
    assert_eq!(c.get(s.url(HOST_A, "/baru/")).send().await.unwrap().status(), 404);
    let upstream = s.upstream.to_string();
    let added = format!(
        "{}\n[[route]]\nid = \"baru\"\nhost = \"app-a.localhost\"\npath = \"/baru/\"\nupstream = \"http://{upstream}/baru/\"\nlevel = \"publik\"\n",
        ROUTES.replace("{up}", &upstream)
    );
    std::fs::write(s.policies.join("routes.toml"), &added).unwrap();
    let status = poll(|| async { c.get(s.url(HOST_A, "/baru/")).send().await.unwrap().status().as_u16() }, 200).await;
    assert_eq!(status, 200, "a new route is served without restart");
    // A broken change is refused; the last good policy keeps serving.
    std::fs::write(s.policies.join("routes.toml"), added.replace("level = \"publik\"\n", "level = \"tidak-ada\"\n"))
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(c.get(s.url(HOST_A, "/baru/")).send().await.unwrap().status(), 200);
    assert_eq!(c.get(s.url(HOST_A, "/kantor/")).send().await.unwrap().status(), 303);
    // Removing the route takes effect too.
    std::fs::write(s.policies.join("routes.toml"), ROUTES.replace("{up}", &upstream)).unwrap();
    let status = poll(|| async { c.get(s.url(HOST_A, "/baru/")).send().await.unwrap().status().as_u16() }, 404).await;
    assert_eq!(status, 404);
}

/// Calls `f` until it returns `want` or five seconds pass; returns the last value.
async fn poll<F, Fut>(f: F, want: u16) -> u16
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let got = f().await;
        if got == want || std::time::Instant::now() > deadline {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_channel_logout_ends_the_gateway_session_on_every_replica() {
    let mut s = Stack::start(ROUTES, NETWORKS, |_| {}).await;
    s.asn(NIP, "Dewi Lestari").await;
    let replica = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let replica_addr = replica.local_addr().unwrap();
    s.gateway_on(replica).await;
    let (c, jar) = s.browser_with_jar();
    let (r, _) = open_signing_in(&c, &s.url(HOST_A, "/kantor/"), NIP).await;
    assert_eq!(r.status(), 200);
    // The same cookie works on the other replica (same keys, nothing held in one process).
    use reqwest::cookie::CookieStore;
    let cookies = jar.cookies(&s.url(HOST_A, "/").parse().unwrap()).unwrap();
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(HOST_A, replica_addr)
        .build()
        .unwrap();
    let on_replica = format!("http://{HOST_A}:{}/kantor/", replica_addr.port());
    assert_eq!(other.get(&on_replica).header("cookie", cookies.clone()).send().await.unwrap().status(), 200);

    // Sign out at the IdP: it sends a logout token to the gateway (one replica receives it).
    let page = c.get(format!("{}/logout", s.idp)).send().await.unwrap().text().await.unwrap();
    let csrf = stack::hidden(&page, "csrf").expect("logout confirmation form");
    let mut form = vec![("csrf".to_string(), csrf)];
    if let Some(st) = stack::hidden(&page, "st") {
        form.push(("st".into(), st));
    }
    let r = c.post(format!("{}/logout/konfirmasi", s.idp)).form(&form).send().await.unwrap();
    assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
    assert_eq!(c.get(s.url(HOST_A, "/kantor/")).send().await.unwrap().status(), 303, "session ended");
    let status = poll(
        || async { other.get(&on_replica).header("cookie", cookies.clone()).send().await.unwrap().status().as_u16() },
        303,
    )
    .await;
    assert_eq!(status, 303, "ended on the other replica too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_failures_get_readable_pages_and_limits_hold() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let routes = format!(
        "[[route]]\nid = \"mati\"\nhost = \"app-a.localhost\"\npath = \"/mati/\"\nupstream = \"http://{closed}/\"\nlevel = \"publik\"\n\n\
         [[route]]\nid = \"lambat\"\nhost = \"app-a.localhost\"\npath = \"/slow/\"\nupstream = \"http://{{up}}/slow/\"\nlevel = \"publik\"\ntimeout_secs = 1\n\n\
         [[route]]\nid = \"kecil\"\nhost = \"app-a.localhost\"\npath = \"/count/\"\nupstream = \"http://{{up}}/count/\"\nlevel = \"publik\"\nmax_body_bytes = 1000\n"
    );
    let s = Stack::start(&routes, "", |_| {}).await;
    let c = s.browser();
    let r = c.get(s.url(HOST_A, "/mati/")).send().await.unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.text().await.unwrap().contains("tidak dapat dihubungi"));
    let r = c.get(s.url(HOST_A, "/slow/")).send().await.unwrap();
    assert_eq!(r.status(), 504);
    let r = c.get(s.url(HOST_A, "/slow/")).header("Accept", "application/json").send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "upstream_timeout");
    let r = c.post(s.url(HOST_A, "/count/")).body(vec![b'x'; 1001]).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let r = c.post(s.url(HOST_A, "/count/")).body(vec![b'x'; 1000]).send().await.unwrap();
    assert_eq!(json(r).await["length"], 1000);
    // A chunked body without a length is cut at the limit too.
    let chunks = futures_util::stream::iter((0..20).map(|_| Ok::<_, std::io::Error>(vec![b'y'; 100])));
    let r = c.post(s.url(HOST_A, "/count/")).body(reqwest::Body::wrap_stream(chunks)).send().await;
    assert!(r.is_err() || r.unwrap().status() != 200, "2000 bytes never arrive whole");
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_mb_body_streams_through_with_bounded_memory() {
    let routes = "[[route]]\nid = \"unggah\"\nhost = \"app-a.localhost\"\npath = \"/count/\"\nupstream = \"http://{up}/count/\"\nlevel = \"publik\"\nmax_body_bytes = 200000000\n";
    let s = Stack::start(routes, "", |_| {}).await;
    let c = s.browser();
    const CHUNK: usize = 64 * 1024;
    const TOTAL: usize = 100 * 1024 * 1024;
    let before = rss_kib();
    let chunks = futures_util::stream::iter((0..TOTAL / CHUNK).map(|_| Ok::<_, std::io::Error>(vec![b'z'; CHUNK])));
    let r = c.post(s.url(HOST_A, "/count/")).body(reqwest::Body::wrap_stream(chunks)).send().await.unwrap();
    assert_eq!(json(r).await["length"], TOTAL as u64);
    let grown_mib = rss_kib().saturating_sub(before) / 1024;
    // Client, gateway and upstream share this process: buffering the body anywhere would add
    // at least 100 MiB.
    assert!(grown_mib < 40, "memory grew by {grown_mib} MiB while streaming 100 MiB");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_upgrade_through_the_gateway() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    // A WebSocket server that completes the handshake (RFC 6455 §4.2.2) and echoes frames.
    let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws_addr = ws.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut conn, _) = ws.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let mut got = Vec::new();
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = conn.read(&mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        let head = String::from_utf8_lossy(&got).to_string();
        let key = head
            .lines()
            .find_map(|l| l.strip_prefix("sec-websocket-key: ").or(l.strip_prefix("Sec-WebSocket-Key: ")))
            .unwrap_or("")
            .trim()
            .to_string();
        let reply = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nX-Saw-Identity: {}\r\n\r\n",
            accept_key(&key),
            head.to_ascii_lowercase().contains("x-gerbang-level: publik")
        );
        conn.write_all(reply.as_bytes()).await.unwrap();
        loop {
            let n = conn.read(&mut buf).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            conn.write_all(&buf[..n]).await.unwrap();
        }
    });
    let routes = format!(
        "[[route]]\nid = \"ws\"\nhost = \"app-a.localhost\"\npath = \"/ws/\"\nupstream = \"http://{ws_addr}/\"\nlevel = \"publik\"\n"
    );
    let s = Stack::start(&routes, "", |_| {}).await;
    let mut conn = tokio::net::TcpStream::connect(s.gateway).await.unwrap();
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    conn.write_all(
        format!(
            "GET /ws/chat HTTP/1.1\r\nHost: {HOST_A}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nX-Gerbang-Level: rahasia\r\n\r\n"
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = conn.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed during the handshake: {}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&got).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains(&format!("sec-websocket-accept: {}", accept_key(key).to_ascii_lowercase())), "{head}");
    assert!(head.contains("x-saw-identity: true"), "the upstream got the gateway's identity, not the forged one");
    // A masked text frame "halo" (RFC 6455 §5.2), echoed back byte for byte.
    let frame = [0x81u8, 0x84, 1, 2, 3, 4, b'h' ^ 1, b'a' ^ 2, b'l' ^ 3, b'o' ^ 4];
    conn.write_all(&frame).await.unwrap();
    let mut echo = vec![0u8; frame.len()];
    conn.read_exact(&mut echo).await.unwrap();
    assert_eq!(echo, frame);
}

/// RFC 6455 §4.2.2: base64(SHA-1(key + GUID)).
fn accept_key(key: &str) -> String {
    use base64::Engine;
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(key.as_bytes());
    h.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC11B65");
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// A path, extra request headers, and the status it must get.
type Probe = (String, Vec<(&'static str, &'static str)>, u16);

/// Hostile and malformed requests at every gateway path get a clear 4xx (HTML for people, JSON
/// for programs), never a 5xx or a dropped connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_gets_clear_answers() {
    let s = Stack::start(ROUTES, NETWORKS, |_| {}).await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(HOST_A, s.gateway)
        .build()
        .unwrap();
    let long = format!("/kantor/{}", "a".repeat(6000));
    let get: Vec<Probe> = vec![
        ("/.gerbang/callback?state=a&state=b".into(), vec![], 400),
        ("/.gerbang/callback?code=x&state=y".into(), vec![], 400),
        ("/.gerbang/callback?error=access_denied&state=y".into(), vec![], 400),
        ("/.gerbang/callback?code=x&state=y".into(), vec![("cookie", "gerbang_gw_login=%%%; gerbang_gw=AAAA")], 400),
        ("/.gerbang/masuk?rd=a&rd=b".into(), vec![], 400),
        ("/.gerbang/auth?redirect=1&redirect=2".into(), vec![], 403),
        ("/.gerbang/auth".into(), vec![("x-original-uri", "tidak-berawal-garis-miring")], 403),
        ("/.gerbang/auth".into(), vec![("x-original-uri", "/tidak-ada/")], 403),
        ("/.gerbang/auth".into(), vec![("x-original-uri", "/kantor/%zz")], 403),
        ("/kantor/".into(), vec![("cookie", "gerbang_gw=!!!garbage; gerbang_gw=")], 303),
        ("/kantor/".into(), vec![("authorization", "Bearer a.b.c")], 401),
        ("/kantor/%zz".into(), vec![], 400),
        ("/kantor/%".into(), vec![], 400),
        (long, vec![], 303),
        ("/kantor/".into(), vec![("host", "ev<il")], 400),
        ("/kantor/".into(), vec![("accept-language", ";;,q=x,,en")], 303),
    ];
    for (path, headers, want) in get {
        let mut r = c.get(s.url(HOST_A, &path));
        for (k, v) in &headers {
            r = r.header(*k, *v);
        }
        let r = r.send().await.unwrap_or_else(|e| panic!("{path}: connection failed: {e}"));
        assert_eq!(r.status().as_u16(), want, "{path} {headers:?}");
        let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        assert!(want == 303 || kind.starts_with("text/html") || kind.starts_with("application/json"), "{path}: {kind}");
    }
    for body in
        ["", "logout_token=", "logout_token=abc", "logout_token=eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vIn0.e30.AAAA", "%%%"]
    {
        let r = c
            .post(s.url(HOST_A, "/.gerbang/backchannel-logout"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        assert!(r.json::<Value>().await.unwrap()["error"] == "invalid_request", "{body}");
    }
}
