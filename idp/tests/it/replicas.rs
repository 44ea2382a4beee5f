//! Two replicas on one PostgreSQL: a sign-in at one and the code exchanged at the other; a
//! client disabled through one refused by the other within a second (its copy is dropped on
//! the announcement, not by expiry); a signing key rotated at one served by the other; a session
//! ended at one gone at the other. PostgreSQL only: SQLite is one process.

use gerbang_core::store::Backend as StoreBackend;
use gerbang_idp::accounts::Actor;
use gerbang_idp::oidc::keys::SigningAlg;
use serde_json::Value;

use crate::oidc::{CALLBACK, browse, confidential, field, http, param};
use crate::support::{Backend, TestServer};

const NIP: &str = "198001012005011001";
const PW: &str = "kata-sandi-panjang";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_sign_ins_and_see_changes_at_once() {
    Box::pin(two_replicas(Backend::Postgres(concat!(env!("CARGO_PKG_NAME"), " replicas::two_replicas")))).await;
}

async fn token_at(srv: &TestServer, secret: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r =
        http().post(format!("{}/token", srv.addr)).basic_auth("rp-app", Some(secret)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn two_replicas(backend: Backend) {
    let Some(a) = TestServer::start(backend).await else { return };
    assert_eq!(a.store.backend(), StoreBackend::Postgres);
    // Both answer as the one public issuer, as replicas behind a load balancer do.
    let issuer = a.url.clone();
    let b = a.replica(move |c| c.idp.public_url = issuer).await;
    assert_ne!(a.addr, b.addr, "two listeners");
    a.with_asn(NIP, "Siti", PW).await;
    let (_, secret) = a.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap();
    let secret = secret.unwrap();

    // Signed in through A; the code is exchanged at B.
    let browser = a.client();
    let start = format!(
        "/authorize?response_type=code&client_id=rp-app&redirect_uri={}&scope=openid&state=s&nonce=n",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let back = browse(&a, &browser, &start, (NIP, PW), "allow").await;
    let code = param(&back, "code").unwrap();
    let (status, tokens) =
        token_at(&b, &secret, &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CALLBACK)])
            .await;
    assert_eq!(status, 200, "{tokens}");
    assert!(tokens["id_token"].is_string());

    // An access token revoked at A: refused by A at once, and by B within about a second (its
    // set of revoked tokens is refreshed every second), though B checks it without a database
    // read once it has seen it.
    let access = tokens["access_token"].as_str().unwrap().to_string();
    let active = |srv: &TestServer| {
        let (addr, secret, access) = (srv.addr.clone(), secret.clone(), access.clone());
        async move {
            let r = http()
                .post(format!("{addr}/introspect"))
                .basic_auth("rp-app", Some(&secret))
                .form(&[("token", access.as_str())])
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()["active"] == true
        }
    };
    assert!(active(&b).await && active(&a).await);
    let r = http()
        .post(format!("{}/revoke", a.addr))
        .basic_auth("rp-app", Some(&secret))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!active(&a).await, "refused at once where it was revoked");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(2500);
    while active(&b).await {
        assert!(tokio::time::Instant::now() < deadline, "B still accepts the revoked token");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // B now holds a copy of the client. Disabled through A, B refuses it within a second,
    // though its copy would live 30 s: the announcement dropped it.
    let bogus = [("grant_type", "authorization_code"), ("code", "tidak-ada"), ("redirect_uri", CALLBACK)];
    assert_eq!(token_at(&b, &secret, &bogus).await.0, 400, "invalid_grant while the client is active");
    a.clients.set_active("rp-app", false, Actor("test")).await.unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    let refused = loop {
        let (status, body) = token_at(&b, &secret, &bogus).await;
        if status == 401 {
            break body;
        }
        assert!(tokio::time::Instant::now() < deadline, "B still accepts the disabled client: {status} {body}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert_eq!(refused["error"], "invalid_client");

    // A signing key rotated at A is published by B at once.
    let kid = a.state.issuer.keys.rotate(SigningAlg::Es256, 3600).await.unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        let jwks: Value = http().get(format!("{}/jwks", b.addr)).send().await.unwrap().json().await.unwrap();
        if jwks["keys"].as_array().unwrap().iter().any(|k| k["kid"] == kid.as_str()) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "B does not publish the new key");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    // The session made at A, ended at B, is gone at A.
    let page = browser.get(format!("{}/akun", b.addr)).send().await.unwrap();
    assert_eq!(page.status(), 200, "the session cookie of A is good at B");
    let csrf = field(&page.text().await.unwrap(), "csrf");
    let r = browser.post(format!("{}/keluar", b.addr)).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
    assert_eq!(browser.get(format!("{}/akun", a.addr)).send().await.unwrap().status(), 303);
}
