//! The admin module's main journey in headless Chromium: a developer registers a client in the
//! portal, the administrator approves it, the Wali Data of kependudukan approves the `nik` claim,
//! and a stock relying party (the `openidconnect` crate) receives `nik` only after that. Then a
//! tour of every admin page, each screenshotted for review (`target/screenshots/…`).

use std::time::Duration;

use fantoccini::Locator;
use gerbang_idp::accounts::{Actor, Identity, NewIdentity};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge,
    RedirectUrl, Scope, TokenResponse,
};
use serde_json::Value;

use crate::browser::Browser;
use crate::oidc::{CALLBACK, PW, http};
use crate::support::{Backend, TestServer};

const ADMIN: &str = "198001012005011001";
const DEVELOPER: &str = "198203032007011003";
const STEWARD: &str = "198304042008012004";
const CITIZEN: &str = "1374024107900001";
/// A 1×1 PNG.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async fn account(srv: &TestServer, login: &str, name: &str, roles: &[&str]) -> String {
    let new = NewIdentity {
        identity: Identity::parse(login).unwrap(),
        name: name.into(),
        password: Some(PW.into()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    srv.accounts.create(new, Actor("test")).await.unwrap()
}

/// Forgets the IdP's cookies (WebDriver deletes the cookies of the current page's site, so the
/// browser goes there first).
async fn forget(b: &Browser, srv: &TestServer) {
    b.client.goto(&format!("{}/masuk", srv.url)).await.unwrap();
    b.client.delete_all_cookies().await.unwrap();
}

/// A fresh browser session (no cookies) signing in with a password, landing on `path`.
async fn sign_in_to(b: &Browser, srv: &TestServer, path: &str, login: &str, landing: &str) {
    forget(b, srv).await;
    b.client.goto(&format!("{}{path}", srv.url)).await.unwrap();
    b.fill("#identifier", login).await;
    b.fill("#password", PW).await;
    b.click("form button[type=submit]").await;
    b.wait(landing).await;
}

/// What the relying party got from one sign-in: the error at its callback, or the ID token's
/// claims and the userinfo answer.
#[derive(Debug)]
enum Outcome {
    Refused(String),
    Signed { userinfo: Value },
}

/// A stock relying party asks for `scopes`; the browser signs the citizen in (if asked) and
/// consents; the RP exchanges the code, verifies the ID token and calls userinfo.
async fn relying_party(b: &Browser, srv: &TestServer, client_id: &str, secret: &str, scopes: &[&str]) -> Outcome {
    let http = http();
    let meta =
        CoreProviderMetadata::discover_async(IssuerUrl::new(srv.url.clone()).unwrap(), &http).await.expect("discovery");
    let rp = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(client_id.into()),
        Some(ClientSecret::new(secret.into())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge);
    for s in scopes {
        request = request.add_scope(Scope::new(s.to_string()));
    }
    let (url, _, nonce) = request.url();
    // The callback does not answer (no application there): an immediate redirect to it fails
    // the navigation, which is expected; its URL is what counts.
    let _ = b.client.goto(url.as_str()).await;
    let mut signed_in = false;
    let mut landed = b.client.current_url().await.unwrap();
    for _ in 0..150 {
        if landed.as_str().starts_with("http://127.0.0.1:4321/") {
            break;
        }
        if !signed_in && let Ok(field) = b.client.find(Locator::Css("#identifier")).await {
            signed_in = true;
            field.send_keys(CITIZEN).await.unwrap();
            b.fill("#password", PW).await;
            b.click("form button[type=submit]").await;
        } else if let Ok(allow) = b.client.find(Locator::Css("#allow")).await {
            b.shot(&format!("consent-{}", scopes.join("-"))).await;
            let _ = allow.click().await;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        landed = b.client.current_url().await.unwrap();
    }
    let param = |name: &str| landed.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    if let Some(error) = param("error") {
        return Outcome::Refused(error);
    }
    let code = param("code").unwrap_or_else(|| panic!("a code at the callback: {landed}"));
    let token = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token");
    let claims = token.id_token().expect("id token").claims(&rp.id_token_verifier(), &nonce).expect("valid ID token");
    let userinfo: Value = http
        .get(format!("{}/userinfo", srv.url))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["sub"], claims.subject().as_str());
    Outcome::Signed { userinfo }
}

/// The page is the one expected, in Indonesian, without an error box.
async fn page_ok(b: &Browser, page_id: &str) {
    let found =
        b.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(&format!("#page-{page_id}"))).await;
    if found.is_err() {
        let url = b.client.current_url().await.unwrap();
        let text = b.text("main").await;
        panic!("{url}: expected the page {page_id}, got: {text}\n{}", crate::support::logs_matching("ERROR"));
    }
    assert!(b.client.find(Locator::Css("p.error")).await.is_err(), "{page_id} shows an error");
    assert!(b.client.find(Locator::Css("html[lang=id]")).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn developer_admin_and_steward_release_nik_to_a_relying_party() {
    let test =
        concat!(env!("CARGO_PKG_NAME"), " portal_browser::developer_admin_and_steward_release_nik_to_a_relying_party");
    let Some(srv) = TestServer::start(Backend::Sqlite).await else { return };
    let Some(b) = Browser::start(test).await else { return };
    b.client.set_window_size(1280, 1600).await.unwrap();
    let files = tempfile::tempdir().unwrap();
    account(&srv, ADMIN, "Andi Admin", &["admin"]).await;
    account(&srv, DEVELOPER, "Dewi Pengembang", &["developer"]).await;
    account(&srv, STEWARD, "Wahyu Wali Data", &[]).await;
    account(&srv, CITIZEN, "Rina Marlina", &[]).await;

    // The administrator appoints the steward of kependudukan (Pasal 12(5)).
    sign_in_to(&b, &srv, "/admin/kelompok-data", ADMIN, "#page-admin-groups").await;
    b.shot("admin-groups").await;
    b.wait("#steward-appoint-group").await.select_by_value("kependudukan").await.unwrap();
    b.fill("#steward-appoint-steward_nip", STEWARD).await;
    b.fill("#steward-appoint-decree_ref", "Kep. Walikota No. 100/2026").await;
    b.click("#steward-appoint button[type=submit]").await;
    page_ok(&b, "admin-groups").await;
    assert!(b.text("#groups").await.contains("Kep. Walikota No. 100/2026"));

    // The developer registers a confidential client asking for nik, with its purpose. A redirect
    // URI outside the register is refused first, naming Pasal 11, and the form keeps its values.
    sign_in_to(&b, &srv, "/portal", DEVELOPER, "#page-portal-home").await;
    b.shot("portal-home").await;
    b.click("#new-client").await;
    page_ok(&b, "portal-new").await;
    b.wait("#registration-application_id").await.select_by_value("e-office").await.unwrap();
    b.fill("#registration-name", "E-Office Kelurahan").await;
    b.fill("#registration-redirect_uris", "https://aplikasi.tidak-terdaftar.example/cb").await;
    b.fill("#registration-purpose_nik", "Mencocokkan surat masuk warga dengan data kependudukan").await;
    let logo = files.path().join("logo.png");
    std::fs::write(&logo, base64::Engine::decode(&base64::engine::general_purpose::STANDARD, PNG_1X1).unwrap())
        .unwrap();
    b.wait("#registration-logo").await.send_keys(logo.to_str().unwrap()).await.unwrap();
    b.shot("portal-new").await;
    b.click("#registration button[type=submit]").await;
    let refusal = b.text("#registration-error").await;
    assert!(refusal.contains("Pasal 11"), "{refusal}");
    assert_eq!(b.wait("#registration-name").await.prop("value").await.unwrap().as_deref(), Some("E-Office Kelurahan"));
    b.shot("portal-new-refused").await;
    b.fill("#registration-redirect_uris", "http://127.0.0.1/callback").await;
    // A file input does not survive a refused post: the logo is chosen again.
    b.wait("#registration-logo").await.send_keys(logo.to_str().unwrap()).await.unwrap();
    b.click("#registration button[type=submit]").await;
    page_ok(&b, "portal-created").await;
    let secret = b.text("#client-secret").await;
    assert_eq!(secret.len(), 43, "a 256-bit secret, base64url");
    let client_id = b.text("#registration dd").await;
    b.shot("portal-created").await;
    b.click("#to-status").await;
    page_ok(&b, "portal-record").await;
    assert!(b.client.find(Locator::Css("#client-secret")).await.is_err(), "the secret is shown once");
    // The uploaded logo is shown (served from this site, under the page's CSP).
    b.wait("#client-logo").await;
    let width = b
        .client
        .execute("const i = document.querySelector('#client-logo'); return i.complete ? i.naturalWidth : -1", vec![])
        .await
        .unwrap();
    assert_eq!(width, serde_json::json!(1), "the 1×1 logo loaded");
    b.shot("portal-record-pending").await;
    // The client does not exist for the RP yet.
    assert!(srv.clients.get(&client_id).await.unwrap().is_none_or(|c| c.approved_claims.is_empty()));

    // The administrator approves it, with a reason.
    sign_in_to(&b, &srv, "/admin/klien", ADMIN, "#page-admin-clients").await;
    b.shot("admin-clients").await;
    b.click("#registrations a").await;
    page_ok(&b, "admin-client-record").await;
    b.click("#decision button[value=on]").await;
    // The reason is required by the page (and by the server).
    b.client.execute("document.querySelector('#decision textarea').removeAttribute('required')", vec![]).await.unwrap();
    b.click("#decision button[value=on]").await;
    assert!(b.text("#decision-error").await.contains("lasan"));
    b.fill("#decision-reason", "Aplikasi umum Pasal 9, dikelola Diskominfo").await;
    b.shot("admin-client-decision").await;
    b.click("#decision button[value=on]").await;
    b.wait("#history").await;
    assert!(b.text("#registration").await.contains("disetujui"));
    assert!(b.client.find(Locator::Css("#decision")).await.is_err(), "decided once");
    b.shot("admin-client-approved").await;

    // Live, but without nik: asking for it is refused, and a plain sign-in carries no nik.
    forget(&b, &srv).await;
    match relying_party(&b, &srv, &client_id, &secret, &["nik"]).await {
        Outcome::Refused(e) => assert_eq!(e, "invalid_scope"),
        other => panic!("nik before the steward's approval: {other:?}"),
    }
    match relying_party(&b, &srv, &client_id, &secret, &["profile"]).await {
        Outcome::Signed { userinfo } => {
            assert_eq!(userinfo["name"], "Rina Marlina", "{userinfo}");
            assert!(userinfo.get("nik").is_none(), "{userinfo}");
        }
        other => panic!("{other:?}"),
    }

    // The steward approves nik, with a reason.
    sign_in_to(&b, &srv, "/wali-data", STEWARD, "#page-steward-queue").await;
    let form = "form[id^='claim-'][id$='-nik']";
    b.wait(form).await;
    b.fill(&format!("{form} textarea"), "Tujuan jelas; layanan surat warga").await;
    b.shot("steward-queue").await;
    b.click(&format!("{form} button[value=on]")).await;
    page_ok(&b, "steward-queue").await;
    assert!(b.client.find(Locator::Css(form)).await.is_err(), "the claim left the queue");
    b.shot("steward-queue-empty").await;

    // Now the relying party receives nik (the citizen consents to the new scope).
    forget(&b, &srv).await;
    match relying_party(&b, &srv, &client_id, &secret, &["profile", "nik"]).await {
        Outcome::Signed { userinfo } => assert_eq!(userinfo["nik"], CITIZEN, "{userinfo}"),
        other => panic!("{other:?}"),
    }

    // The developer sees the live client, rotates its secret, and the old one stops working.
    sign_in_to(&b, &srv, "/portal", DEVELOPER, "#page-portal-home").await;
    b.click("#registrations a").await;
    page_ok(&b, "portal-record").await;
    assert!(b.text("#claims").await.contains("disetujui"));
    b.shot("portal-record-live").await;
    b.click("#rotate button[type=submit]").await;
    let rotated = b.text("#client-secret").await;
    assert_ne!(rotated, secret);
    b.shot("portal-rotated").await;
    let old = http()
        .post(format!("{}/token", srv.url))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "authorization_code"), ("code", "x"), ("redirect_uri", CALLBACK)])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);

    // The administrator's tour: every page renders, in Indonesian, without an error.
    sign_in_to(&b, &srv, "/admin", ADMIN, "#page-admin-home").await;
    let tour: &[(&str, &str, &str)] = &[
        ("/admin", "admin-home", "overview"),
        ("/admin/opd", "admin-opd", "opd-list"),
        ("/admin/opd?q=dinas", "admin-opd", "opd-search"),
        ("/admin/opd/diskominfo", "admin-opd-record", "opd-record"),
        ("/admin/aplikasi", "admin-apps", "apps"),
        ("/admin/aplikasi/e-office", "admin-app-record", "app-record"),
        ("/admin/domain", "admin-domains", "domains"),
        ("/admin/domain/padangpanjang.go.id", "admin-domain-record", "domain-record"),
        ("/admin/jaringan", "admin-networks", "networks"),
        ("/admin/kelompok-data", "admin-groups", "groups"),
        ("/admin/akun?q=198203032007011003", "admin-accounts", "accounts"),
        ("/admin/klien?status=all", "admin-clients", "clients-all"),
        ("/admin/audit", "admin-audit", "audit"),
        ("/admin/laporan", "admin-reports", "reports"),
    ];
    for (path, id, shot) in tour {
        b.client.goto(&format!("{}{path}", srv.url)).await.unwrap();
        page_ok(&b, id).await;
        b.shot(&format!("tour-{shot}")).await;
    }
    // A document of the Pasal 8(2) checklist uploaded as a file and checked; it downloads as sent.
    b.client.goto(&format!("{}/admin/aplikasi/e-office", srv.url)).await.unwrap();
    let manual = files.path().join("manual-pengguna.txt");
    std::fs::write(&manual, "Manual pengguna e-Office, versi 1.").unwrap();
    b.wait("#doc-set-item").await.select_by_value("user_manual").await.unwrap();
    b.wait("#doc-set-file").await.send_keys(manual.to_str().unwrap()).await.unwrap();
    b.click("#doc-set input[name=checked]").await;
    b.click("#doc-set button[type=submit]").await;
    page_ok(&b, "admin-app-record").await;
    let docs = b.text("#docs").await;
    assert!(docs.contains("manual-pengguna.txt") && docs.contains("Andi Admin"), "{docs}");
    let body = b
        .client
        .execute(
            "return fetch(document.querySelector('#docs a[href$=\"/user_manual\"]').href).then(r => r.text())",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(body, serde_json::json!("Manual pengguna e-Office, versi 1."));
    b.shot("tour-app-doc-uploaded").await;
    // A network registered from its page, then its record.
    b.client.goto(&format!("{}/admin/jaringan", srv.url)).await.unwrap();
    b.fill("#network-new-id", "kominfo-lan").await;
    b.fill("#network-new-name", "LAN Diskominfo").await;
    b.wait("#network-new-opd_id").await.select_by_value("diskominfo").await.unwrap();
    b.fill("#network-new-cidrs", "10.20.0.0/16").await;
    b.click("#network-new button[type=submit]").await;
    page_ok(&b, "admin-network-record").await;
    b.shot("tour-network-record").await;
    // An overlapping range is refused, naming the other network.
    b.client.goto(&format!("{}/admin/jaringan", srv.url)).await.unwrap();
    b.fill("#network-new-id", "kominfo-wifi").await;
    b.fill("#network-new-name", "Wi-Fi Diskominfo").await;
    b.fill("#network-new-cidrs", "10.20.5.0/24").await;
    b.click("#network-new button[type=submit]").await;
    assert!(b.text("#network-new-error").await.contains("kominfo-lan"));
    b.shot("tour-network-overlap").await;
    // The account page of the developer, and the audit log filtered to the portal's decisions.
    b.client.goto(&format!("{}/admin/akun?q=198203032007011003", srv.url)).await.unwrap();
    b.click("#accounts a").await;
    page_ok(&b, "admin-account-record").await;
    b.shot("tour-account-record").await;
    b.client.goto(&format!("{}/admin/audit?action=portal.", srv.url)).await.unwrap();
    page_ok(&b, "admin-audit").await;
    let log = b.text("#audit").await;
    for action in ["portal.registration.create", "portal.registration.approve", "portal.claim.approve"] {
        assert!(log.contains(action), "{action} in {log}");
    }
    b.shot("tour-audit-portal").await;
    // Each release of nik to the client is in the log (the ID token and the userinfo call).
    b.client.goto(&format!("{}/admin/audit?action=claim.release", srv.url)).await.unwrap();
    let releases = b.text("#audit").await;
    assert!(releases.contains(&client_id) && releases.contains("nik") && releases.contains("userinfo"), "{releases}");
    // And one page in English.
    b.click("nav.langs a[lang=en]").await;
    b.wait("html[lang=en]").await;
    assert_eq!(b.text("#page-admin-audit h1").await, "Audit log");
    b.shot("tour-audit-en").await;
    eprintln!("screenshots: {}", b.shots.display());
}
