//! TOTP enrolment, step-up from `asn` to `asn-kuat` asking only for the second factor, codes
//! that work once, recovery codes, `max_age` re-authentication, and the sessions of the account
//! page — through the real pages and the `openidconnect` relying party.

use gerbang_core::store::{SessionStore, now_unix};
use gerbang_idp::accounts::Actor;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl, TokenResponse,
};

use crate::oidc::{CALLBACK, NIP, PW, browse, confidential, field, http, param};
use crate::support::{Backend, TestServer, csrf_token};

crate::on_both_backends!(totp_enrolment_step_up_replay_and_recovery, max_age_unreachable_levels_and_sessions);

const NIK: &str = "1374024107900001";

/// The code of `secret` (base32, spaces allowed) at `at`.
fn code_at(secret: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret.replace(' ', "")).unwrap();
    totp_rs::Builder::new().with_secret(secret).build().unwrap().generate(at as u64).to_string()
}

/// Signs in, enrols TOTP through the pages; returns the secret and the recovery codes.
async fn enrol(srv: &TestServer, browser: &reqwest::Client) -> (String, Vec<String>) {
    let page = browser.get(format!("{}/akun/totp", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<svg"), "a QR code is shown");
    let start =
        page.find("id=\"totp-secret\" class=\"secret\">").unwrap() + "id=\"totp-secret\" class=\"secret\">".len();
    let secret = page[start..].split('<').next().unwrap().to_string();
    // A wrong first code is refused.
    let r = browser
        .post(format!("{}/akun/totp", srv.url))
        .form(&[("csrf", csrf_token(&page)), ("code", "000000".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = browser
        .post(format!("{}/akun/totp", srv.url))
        .form(&[("csrf", csrf_token(&page)), ("code", code_at(&secret, now_unix()))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let codes: Vec<String> =
        html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(codes.len(), 10, "{html}");
    (secret, codes)
}

/// Starts an authorization for `rp-app` with extra parameters; returns the first redirect.
pub(crate) async fn start(
    srv: &TestServer,
    browser: &reqwest::Client,
    extra: &str,
) -> (String, String, Nonce, openidconnect::PkceCodeVerifier) {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce = Nonce::new_random();
    let url = format!(
        "{}/authorize?client_id=rp-app&redirect_uri={}&response_type=code&scope=openid&nonce={}&code_challenge={}&code_challenge_method=S256{extra}",
        srv.url,
        CALLBACK,
        nonce.secret(),
        challenge.as_str()
    );
    let r = browser.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 303);
    (url, r.headers()["location"].to_str().unwrap().to_string(), nonce, verifier)
}

async fn step_up(srv: &TestServer, browser: &reqwest::Client, location: &str, code: &str) -> reqwest::Response {
    assert!(location.starts_with("/masuk/langkah-2?req="), "{location}");
    let page = browser.get(format!("{}{location}", srv.url)).send().await.unwrap().text().await.unwrap();
    browser
        .post(format!("{}/masuk/langkah-2", srv.url))
        .form(&[("csrf", csrf_token(&page)), ("req", field(&page, "req")), ("code", code.to_string())])
        .send()
        .await
        .unwrap()
}

/// Exchanges the code of a final redirect and returns the verified ID token claims as JSON.
pub(crate) async fn id_claims(
    srv: &TestServer,
    secret: &str,
    back: &url::Url,
    nonce: &Nonce,
    verifier: openidconnect::PkceCodeVerifier,
) -> serde_json::Value {
    let http = http();
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(srv.url.clone()).unwrap(), &http).await.unwrap();
    let rp = CoreClient::from_provider_metadata(
        meta,
        ClientId::new("rp-app".into()),
        Some(ClientSecret::new(secret.into())),
    )
    .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let token = rp
        .exchange_code(AuthorizationCode::new(param(back, "code").expect("code")))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id = token.id_token().unwrap();
    id.claims(&rp.id_token_verifier(), nonce).unwrap();
    let payload = id.to_string().split('.').nth(1).unwrap().to_string();
    serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap())
        .unwrap()
}

async fn totp_enrolment_step_up_replay_and_recovery(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    let secret = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap().1.unwrap();
    let browser = srv.client();
    assert_eq!(srv.login(&browser, NIP, PW).await.status(), 303);
    let (totp_secret, recovery) = enrol(&srv, &browser).await;
    let account = browser.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(account.contains("id=\"mfa-status\"") && account.contains("<strong>10</strong>"), "{account}");

    // Consent once without a level, then ask for asn-kuat: only the second factor is asked.
    let (url, _, _, _) = start(&srv, &browser, "").await;
    browse(&srv, &browser, &url, (NIP, PW), "allow").await;
    let (_, location, nonce, verifier) = start(&srv, &browser, "&acr_values=asn-kuat").await;
    let wrong = step_up(&srv, &browser, &location, "123456").await;
    assert_eq!(wrong.status(), 401);
    // The enrolment used the current step; the next step's code is new (±1 step accepted).
    let code = code_at(&totp_secret, now_unix() + 30);
    let r = step_up(&srv, &browser, &location, &code).await;
    assert_eq!(r.status(), 303);
    let back = browse(&srv, &browser, r.headers()["location"].to_str().unwrap(), ("-", "-"), "allow").await;
    let claims = id_claims(&srv, &secret, &back, &nonce, verifier).await;
    assert_eq!(claims["acr"], "asn-kuat");
    assert_eq!(claims["amr"], serde_json::json!(["pwd", "otp"]));

    // A fresh browser: password, then the same TOTP code again is a replay.
    let other = srv.client();
    assert_eq!(srv.login(&other, NIP, PW).await.status(), 303);
    let (_, location, nonce, verifier) = start(&srv, &other, "&acr_values=asn-kuat").await;
    assert_eq!(step_up(&srv, &other, &location, &code).await.status(), 401, "a TOTP code works once");
    // A recovery code works once and says how many remain.
    let r = step_up(&srv, &other, &location, &recovery[3].to_uppercase()).await;
    assert_eq!(r.status(), 200);
    let notice = r.text().await.unwrap();
    assert!(notice.contains("id=\"notice\"") && notice.contains(" 9"), "{notice}");
    let next =
        notice.split("href=\"").find(|s| s.starts_with("&#x2f;authorize") || s.starts_with("/authorize")).unwrap();
    let next = next.split('"').next().unwrap().replace("&#x2f;", "/").replace("&amp;", "&");
    let back = browse(&srv, &other, &next, ("-", "-"), "allow").await;
    assert_eq!(id_claims(&srv, &secret, &back, &nonce, verifier).await["acr"], "asn-kuat");
    let third = srv.client();
    assert_eq!(srv.login(&third, NIP, PW).await.status(), 303);
    let (_, location, _, _) = start(&srv, &third, "&acr_values=asn-kuat").await;
    assert_eq!(step_up(&srv, &third, &location, &recovery[3]).await.status(), 401, "a recovery code works once");

    // prompt=none cannot step up silently.
    let (_, location, _, _) = start(&srv, &third, "&acr_values=asn-kuat&prompt=none").await;
    let loc = url::Url::parse(&location).unwrap();
    assert_eq!(param(&loc, "error").as_deref(), Some("interaction_required"));
}

async fn max_age_unreachable_levels_and_sessions(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    srv.with_warga(NIK, "Rina", PW).await;
    let secret = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap().1.unwrap();
    let browser = srv.client();
    let (url, _, nonce, verifier) = start(&srv, &browser, "").await;
    let back = browse(&srv, &browser, &url, (NIP, PW), "allow").await;
    let first = id_claims(&srv, &secret, &back, &nonce, verifier).await;
    assert_eq!(first["acr"], "asn");

    // max_age=0 a second later: the login form again although signed in, then a fresh auth_time.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (url, location, nonce, verifier) = start(&srv, &browser, "&max_age=0").await;
    assert!(location.starts_with("/masuk?") && location.contains("force=1"), "{location}");
    let back = browse(&srv, &browser, &url, (NIP, PW), "allow").await;
    let fresh = id_claims(&srv, &secret, &back, &nonce, verifier).await;
    assert!(fresh["auth_time"].as_i64() > first["auth_time"].as_i64());

    // An ASN without TOTP asking for asn-kuat: no step-up possible, the reached level is asserted.
    let (url, _, nonce, verifier) = start(&srv, &browser, "&acr_values=asn-kuat").await;
    let back = browse(&srv, &browser, &url, (NIP, PW), "allow").await;
    assert_eq!(id_claims(&srv, &secret, &back, &nonce, verifier).await["acr"], "asn");
    // A citizen asking for an ASN level gets the citizens' highest (proven: made by an administrator).
    let citizen = srv.client();
    let (url, _, nonce, verifier) = start(&srv, &citizen, "&acr_values=asn").await;
    let back = browse(&srv, &citizen, &url, (NIK, PW), "allow").await;
    assert_eq!(id_claims(&srv, &secret, &back, &nonce, verifier).await["acr"], "warga-terverifikasi");

    // Two sessions of the ASN; ending the others from the account page ends the second.
    let second = srv.client();
    assert_eq!(srv.login(&second, NIP, PW).await.status(), 303);
    let page = browser.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("name=\"sid\"").count(), 2, "{page}");
    let r = browser
        .post(format!("{}/akun/sesi/akhiri", srv.url))
        .form(&[("csrf", csrf_token(&page)), ("sid", "others".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(second.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 303, "the other session ended");
    assert_eq!(browser.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 200, "this one stays");
    let page = browser.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"sign-ins\"") && page.contains("berhasil"), "recent sign-ins shown");

    // Adding a factor needs a recent sign-in: age this session by eleven minutes.
    let account_id =
        srv.accounts.find(&gerbang_idp::accounts::Identity::parse(NIP).unwrap()).await.unwrap().unwrap().id;
    let mut tx = srv.store.begin().await.unwrap();
    for s in tx.account_sessions(&account_id, now_unix()).await.unwrap() {
        tx.update_session_auth(&s.id_hash, &s.amr, s.auth_time - 660).await.unwrap();
    }
    tx.commit().await.unwrap();
    let r = browser.get(format!("{}/akun/totp", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().contains("force=1"), "sign in again first");
    let token = csrf_token(&page);
    let r = browser
        .post(format!("{}/akun/passkey/mulai", srv.url))
        .header("x-csrf-token", &token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(body["error_description"].as_str().unwrap().contains("sign in again"), "{body}");
}
