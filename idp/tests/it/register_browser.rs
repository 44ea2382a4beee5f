//! A citizen's whole lifecycle in headless Chromium: from a relying party's sign-in, register
//! with a NIK (the page's script does the proof of work), receive the code from a real SMTP server,
//! prove the email address, consent and land at the relying party (a stock `openidconnect` RP);
//! then forget the password, reset it with a code by email, and find the old session ended.

use std::time::Duration;

use fantoccini::Locator;
use gerbang_idp::accounts::Actor;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge, RedirectUrl, Scope,
    TokenResponse,
};

use crate::browser::Browser;
use crate::oidc::{CALLBACK, confidential, http};
use crate::outbox::SmtpSink;
use crate::support::{Backend, TestServer};

const NIK: &str = "1374024107900001";
const PASSWORD: &str = "kalimat-sandi-warga-1";
const NEW_PASSWORD: &str = "kalimat-sandi-baru-2";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_registers_signs_in_to_an_application_and_resets_the_password() {
    let test = concat!(
        env!("CARGO_PKG_NAME"),
        " register_browser::a_citizen_registers_signs_in_to_an_application_and_resets_the_password"
    );
    let mail = SmtpSink::start().await;
    let smtp = mail.url.clone();
    // The default proof-of-work difficulty: the page's own script does the work.
    let Some(srv) = TestServer::start_with(Backend::Sqlite, move |c| c.mail.smtp_url = smtp.into()).await else {
        return;
    };
    let Some(b) = Browser::start(test).await else { return };
    let secret = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap().1.unwrap();

    // A stock relying party sends the browser to sign in.
    let http = http();
    let meta = CoreProviderMetadata::discover_async(IssuerUrl::new(srv.url.clone()).unwrap(), &http).await.unwrap();
    let rp = CoreClient::from_provider_metadata(meta, ClientId::new("rp-app".into()), Some(ClientSecret::new(secret)))
        .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    b.client.goto(url.as_str()).await.unwrap();
    b.shot("01-login").await;
    b.click("#register").await;
    b.wait("#register-form").await;

    // A birth date that does not match the NIK is refused with a clear message, values kept.
    b.fill("#nik", NIK).await;
    b.fill("#name", "Rina Marlina").await;
    set_date(&b, "1990-07-02").await;
    b.click("#sex-p").await;
    b.fill("#email", "rina@contoh.id").await;
    b.fill("#password", PASSWORD).await;
    b.fill("#password_again", PASSWORD).await;
    b.click("#register-submit").await;
    let error = b.text("#register-error").await;
    assert!(error.contains("Tanggal lahir tidak sesuai dengan NIK"), "{error}");
    assert_eq!(b.wait("#name").await.prop("value").await.unwrap().as_deref(), Some("Rina Marlina"));
    b.shot("02-register-refused").await;

    set_date(&b, "1990-07-01").await;
    b.click("#sex-p").await;
    b.fill("#password", PASSWORD).await;
    b.fill("#password_again", PASSWORD).await;
    b.shot("03-register-form").await;
    b.click("#register-submit").await;
    // The script works, then posts; the code page names the masked address.
    let field = b
        .client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#code_email"))
        .await
        .expect("the code page after the proof of work");
    let lead = b.text("main").await;
    assert!(lead.contains("r***@contoh.id"), "{lead}");
    b.shot("04-code").await;
    let code = mail.inbox.nth_to("rina@contoh.id", 1).await.code();
    field.send_keys(&code).await.unwrap();
    b.click("#code-submit").await;

    // Signed in by the registration: straight to consent, then back to the application.
    b.click("#allow").await;
    let landed = wait_for_callback(&b).await;
    let code = landed.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).expect("a code");
    let token = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token");
    let claims = token.id_token().unwrap().claims(&rp.id_token_verifier(), &nonce).unwrap();
    assert_eq!(
        claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string()).as_deref(),
        Some("Rina Marlina")
    );
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("warga"), "self-registered: not proven yet");

    // The session this browser holds now, to try after the reset.
    b.client.goto(&format!("{}/akun", srv.url)).await.unwrap();
    assert!(b.text("#account-assurance").await.contains("Terdaftar"));
    b.shot("05-account").await;
    let old_session = b.client.get_named_cookie("gerbang_sid").await.unwrap().value().to_string();

    // Forgotten password: a code by email, a new password.
    b.client.delete_all_cookies().await.unwrap();
    b.client.goto(&format!("{}/masuk", srv.url)).await.unwrap();
    b.click("#forgot").await;
    b.fill("#identifier", NIK).await;
    b.shot("06-reset").await;
    b.click("#reset-submit").await;
    let code = mail.inbox.nth_to("rina@contoh.id", 2).await.code();
    b.fill("#code", &code).await;
    b.fill("#password", NEW_PASSWORD).await;
    b.fill("#password_again", NEW_PASSWORD).await;
    b.shot("07-new-password").await;
    b.click("#code-submit").await;
    let notice = b.text("#notice").await;
    assert!(notice.contains("Kata sandi baru sudah disimpan"), "{notice}");
    b.shot("08-reset-done").await;
    let told = mail.inbox.nth_to("rina@contoh.id", 3).await;
    assert!(told.text.contains("telah diubah"), "{}", told.text);

    // The old session no longer works; the old password neither; the new one does.
    let r = http
        .get(format!("{}/akun", srv.url))
        .header("cookie", format!("gerbang_sid={old_session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the session from before the reset ended");
    b.click("#continue").await;
    b.fill("#identifier", NIK).await;
    b.fill("#password", PASSWORD).await;
    b.click("form button[type=submit]").await;
    assert!(b.text("#login-error").await.contains("salah"));
    b.fill("#password", NEW_PASSWORD).await;
    b.click("form button[type=submit]").await;
    assert_eq!(b.text("#account-name").await, "Rina Marlina");
    b.shot("09-signed-in-again").await;
}

/// Sets the date input as the date picker would (typing into it depends on the browser's locale).
async fn set_date(b: &Browser, date: &str) {
    b.client
        .execute("document.getElementById('birth_date').value = arguments[0];", vec![serde_json::json!(date)])
        .await
        .unwrap();
}

/// The relying party's callback does not answer (no application there): wait for its URL.
async fn wait_for_callback(b: &Browser) -> url::Url {
    for _ in 0..150 {
        let at = b.client.current_url().await.unwrap();
        if at.as_str().starts_with("http://127.0.0.1:4321/") {
            return at;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never reached the callback: {}", b.client.current_url().await.unwrap());
}
