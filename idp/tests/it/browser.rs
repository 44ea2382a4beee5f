//! Real-browser tests: headless Chromium driven through chromedriver (WebDriver, `fantoccini`).
//! Without Chromium and chromedriver they are reported as skipped; under CI (`.ci/run` installs
//! both) their absence fails. Screenshots go to `target/screenshots/<test>/` (or
//! `$SCREENSHOT_DIR/<test>/`) to be looked at in review; they are not committed.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use gerbang_core::store::now_unix;
use gerbang_idp::accounts::Actor;
use serde_json::json;

use crate::oidc::{CALLBACK, NIP, PW, confidential};
use crate::support::{Backend, TestServer};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless Chromium session; the driver process is killed on drop.
pub struct Browser {
    pub client: Client,
    driver: Child,
    port: u16,
    session: String,
    pub shots: PathBuf,
}

impl Drop for Browser {
    /// Ends the WebDriver session first (chromedriver then quits Chromium, which it started in a
    /// process group of its own), even when the test panicked, then stops the driver.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Ok(mut conn) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session, self.port
            );
            if conn.write_all(request.as_bytes()).is_ok() {
                // The answer comes once Chromium has quit; its first bytes are enough.
                let mut answer = [0u8; 1024];
                let _ = conn.read(&mut answer);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// `None` (reported as skipped) when Chromium or chromedriver is missing outside CI.
    pub async fn start(test: &str) -> Option<Browser> {
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
        let driver_bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
        if !std::path::Path::new(&chromium).exists() || !std::path::Path::new(&driver_bin).exists() {
            if std::env::var_os("CI").is_some() {
                panic!("{test}: CI must install chromium and chromium-driver");
            }
            gerbang_core::testing::skip(
                test,
                "Chromium/chromedriver not installed (apt-get install chromium chromium-driver)",
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut caps = serde_json::Map::new();
        // The flags this machine needs for Chromium in a closed network, as root, headless; the
        // browser asks for Indonesian pages (`Accept-Language: id-ID,id`) as the city's users do.
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=420,900", "--lang=id-ID",
            ], "prefs": { "intl.accept_languages": "id-ID,id" } }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut client = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("a WebDriver session within 5 s");
        let base = std::env::var("SCREENSHOT_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/screenshots")));
        let shots = base.join(test.replace("::", "-").replace(' ', "-"));
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        let session = client.session_id().await.ok().flatten().unwrap_or_default();
        Some(Browser { client, driver, port, session, shots })
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.wait(css).await.click().await.unwrap();
    }

    /// The text of an element, waiting (up to 10 s) for it to appear after a navigation, and
    /// trying again when the page is replaced under it (a stale element).
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..50 {
            if let Ok(text) = self.wait(css).await.text().await {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("element {css} kept going stale");
    }

    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|_| panic!("element {css} did not appear"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_sign_in_and_totp_enrolment_in_chromium() {
    let test = concat!(env!("CARGO_PKG_NAME"), " browser::password_sign_in_and_totp_enrolment_in_chromium");
    let Some(srv) = TestServer::start(Backend::Sqlite).await else { return };
    let Some(b) = Browser::start(test).await else { return };
    srv.with_asn(NIP, "Siti Rahmawati", PW).await;
    srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap();

    // Start from an application: the login page names it, in Indonesian (the browser asks for id).
    let authorize = format!(
        "{}/authorize?client_id=rp-app&redirect_uri={CALLBACK}&response_type=code&scope=openid&state=s&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        srv.url
    );
    b.client.goto(&authorize).await.unwrap();
    assert!(b.text("#login-for").await.contains("Aplikasi rp-app"));
    b.shot("login").await;
    // The stylesheet loads under the page's CSP.
    let color = b
        .client
        .execute("return getComputedStyle(document.querySelector('header.top')).backgroundColor", vec![])
        .await
        .unwrap();
    assert_eq!(color, json!("rgb(31, 111, 67)"));
    // Switching language keeps the sign-in in progress.
    b.click("nav.langs a[lang=en]").await;
    b.wait("html[lang=en]").await;
    let switched = b.client.current_url().await.unwrap();
    assert!(switched.as_str().contains("return_to="), "{switched}");
    assert!(b.text("#login-for").await.starts_with("Sign in to continue to"));
    b.click("nav.langs a[lang=id]").await;
    b.wait("html[lang=id]").await;

    b.fill("#identifier", "19900315 201503 2 002").await;
    b.fill("#password", PW).await;
    b.click("form button[type=submit]").await;
    // On to consent, then back to the (unreachable) callback of the application.
    assert_eq!(b.text("#client-name").await, "Aplikasi rp-app");
    b.shot("consent").await;
    b.click("#allow").await;
    // The callback itself does not answer (no application there); wait for the URL to change.
    let mut landed = b.client.current_url().await.unwrap();
    for _ in 0..100 {
        if landed.as_str().starts_with("http://127.0.0.1:4321/") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        landed = b.client.current_url().await.unwrap();
    }
    assert!(landed.as_str().starts_with("http://127.0.0.1:4321/callback?code="), "{landed}");

    // The account page, then TOTP enrolment with the secret typed from the page.
    b.client.goto(&format!("{}/akun", srv.url)).await.unwrap();
    assert_eq!(b.text("#account-name").await, "Siti Rahmawati");
    b.shot("account").await;
    b.click("#mfa-enable").await;
    b.shot("totp").await;
    let secret = b.text("#totp-secret").await;
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret.replace(' ', "")).unwrap())
        .build()
        .unwrap();
    b.fill("#code", &totp.generate(now_unix() as u64).to_string()).await;
    b.click("form button[type=submit]").await;
    b.wait("#recovery-codes").await;
    let codes = b.client.find_all(Locator::Css("#recovery-codes li")).await.unwrap();
    assert_eq!(codes.len(), 10);
    b.shot("recovery-codes").await;
    b.client.goto(&format!("{}/akun", srv.url)).await.unwrap();
    assert!(b.text("#mfa-status").await.contains("10"));
    eprintln!("screenshots: {}", b.shots.display());
}

/// WebDriver's virtual authenticator (W3C WebAuthn §11.3): a CTAP2 platform authenticator with
/// resident keys and user verification that always consents.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/webauthn/authenticator", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": true,
            "hasUserVerification": true, "isUserConsenting": true, "isUserVerified": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Clicks through whatever the IdP shows (passkey sign-in, consent) until the browser reaches the
/// application's callback; returns the code and the ID token claims from exchanging it.
async fn finish_at_callback(
    b: &Browser,
    srv: &TestServer,
    secret: &str,
    verifier: &openidconnect::PkceCodeVerifier,
) -> serde_json::Value {
    let mut landed = b.client.current_url().await.unwrap();
    for _ in 0..150 {
        if landed.as_str().starts_with("http://127.0.0.1:4321/") {
            break;
        }
        for button in ["#allow", "#passkey-login"] {
            if let Ok(el) = b.client.find(Locator::Css(button)).await {
                let _ = el.click().await;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        landed = b.client.current_url().await.unwrap();
    }
    let code =
        landed.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).expect("code at the callback");
    let token: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/token", srv.url))
        .basic_auth("rp-app", Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier.secret().as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let payload = token["id_token"].as_str().expect("id token").split('.').nth(1).unwrap().to_string();
    serde_json::from_slice(&base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap())
        .unwrap()
}

fn authorize_url(srv: &TestServer, challenge: &openidconnect::PkceCodeChallenge, extra: &str) -> String {
    format!(
        "{}/authorize?client_id=rp-app&redirect_uri={CALLBACK}&response_type=code&scope=openid&state=s&nonce=n&code_challenge={}&code_challenge_method=S256{extra}",
        srv.url,
        challenge.as_str()
    )
}

/// The server on `localhost`: WebAuthn needs a domain as relying-party id, not an IP address.
fn on_localhost(c: &mut gerbang_core::config::Config) {
    c.idp.public_url = c.idp.public_url.replace("127.0.0.1", "localhost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_registration_then_passkey_only_sign_in_reaches_asn_kuat() {
    let test =
        concat!(env!("CARGO_PKG_NAME"), " browser::passkey_registration_then_passkey_only_sign_in_reaches_asn_kuat");
    let Some(srv) = TestServer::start_with(Backend::Sqlite, on_localhost).await else { return };
    let Some(b) = Browser::start(test).await else { return };
    b.client.issue_cmd(AddVirtualAuthenticator).await.expect("virtual authenticator");
    srv.with_asn(NIP, "Siti Rahmawati", PW).await;
    let secret = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap().1.unwrap();

    // Password sign-in, then a passkey from the account page.
    b.client.goto(&format!("{}/masuk?return_to=/akun", srv.url)).await.unwrap();
    b.wait("#passkey-login").await;
    b.shot("login-page").await;
    b.fill("#identifier", NIP).await;
    b.fill("#password", PW).await;
    b.click("form button[type=submit]").await;
    b.wait("#account-name").await;
    b.fill("#passkey-name", "Ponsel kantor").await;
    b.click("#passkey-register").await;
    let row = b.text("#passkeys td strong").await;
    assert_eq!(row, "Ponsel kantor");
    b.shot("account-with-passkey").await;

    // Step-up: the password session asked for asn-kuat gets the passkey as second factor.
    let (challenge, verifier) = openidconnect::PkceCodeChallenge::new_random_sha256();
    b.client.goto(&authorize_url(&srv, &challenge, "&acr_values=asn-kuat")).await.unwrap();
    b.wait("#passkey-step-up").await;
    b.shot("step-up").await;
    b.click("#passkey-step-up").await;
    let claims = finish_at_callback(&b, &srv, &secret, &verifier).await;
    assert_eq!(claims["acr"], "asn-kuat", "{claims}");
    assert_eq!(claims["amr"], json!(["pwd", "hwk"]));

    // Sign out. The login page then asks for a passkey through the username field's autofill
    // (conditional mediation); the virtual authenticator consents at once, so the person is back
    // in with the passkey alone, without typing the NIP.
    b.client.goto(&format!("{}/akun", srv.url)).await.unwrap();
    b.click("form[action='/keluar'] button").await;
    let mut back_in = false;
    for _ in 0..100 {
        if b.client.source().await.is_ok_and(|html| html.contains("(hwk)")) {
            back_in = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back_in, "signed in again with the passkey");
    b.client.delete_all_cookies().await.unwrap();

    // From an application asking for asn-kuat, signed out: the passkey alone, no NIP typed.
    let (challenge, verifier) = openidconnect::PkceCodeChallenge::new_random_sha256();
    b.client.goto(&authorize_url(&srv, &challenge, "&acr_values=asn-kuat")).await.unwrap();
    let claims = finish_at_callback(&b, &srv, &secret, &verifier).await;
    assert_eq!(claims["acr"], "asn-kuat", "{claims}");
    assert_eq!(claims["amr"], json!(["hwk"]));

    // Rename, then remove the passkey from the account page.
    b.client.goto(&format!("{}/akun", srv.url)).await.unwrap();
    b.fill("#passkeys input[name=name]", "Laptop dinas").await;
    b.click("#passkeys form[action='/akun/passkey/ubah'] button").await;
    for _ in 0..50 {
        if b.text("#passkeys td strong").await == "Laptop dinas" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(b.text("#passkeys td strong").await, "Laptop dinas");
    b.click("#passkeys form[action='/akun/passkey/hapus'] button").await;
    for _ in 0..50 {
        if b.client.find(Locator::Css("#passkeys td")).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(b.client.find(Locator::Css("#passkeys td")).await.is_err(), "passkey removed");
}

/// A passkey sign-in started through one server and finished through another sharing the
/// database: no ceremony state lives in one process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passkey_ceremony_started_on_one_replica_finishes_on_another() {
    let test = concat!(env!("CARGO_PKG_NAME"), " browser::passkey_ceremony_started_on_one_replica_finishes_on_another");
    let Some(a) = TestServer::start_with(Backend::Sqlite, on_localhost).await else { return };
    let Some(b) = Browser::start(test).await else { return };
    let origin_a = a.url.clone();
    let replica = a
        .replica(|c| {
            on_localhost(c);
            c.webauthn.extra_origins = vec![origin_a.clone()];
        })
        .await;
    b.client.issue_cmd(AddVirtualAuthenticator).await.expect("virtual authenticator");
    a.with_asn(NIP, "Siti", PW).await;
    b.client.goto(&format!("{}/masuk?return_to=/akun", a.url)).await.unwrap();
    b.fill("#identifier", NIP).await;
    b.fill("#password", PW).await;
    b.click("form button[type=submit]").await;
    b.wait("#account-name").await;
    b.click("#passkey-register").await;
    b.wait("#passkeys td strong").await;

    // In the page of server A: start at A, ask the authenticator, hand the answer to the test.
    let script = r#"
        const done = arguments[arguments.length - 1];
        const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=')), (c) => c.charCodeAt(0)).buffer;
        const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        const csrf = document.querySelector('input[name=csrf]').value;
        fetch('/masuk/passkey/mulai', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: '{}' })
          .then((r) => r.json())
          .then(async (s) => {
            const pk = s.options.publicKey;
            pk.challenge = dec(pk.challenge);
            const c = await navigator.credentials.get({ publicKey: pk });
            done({ ceremony: s.ceremony, credential: {
              id: c.id, rawId: enc(c.rawId), type: c.type, extensions: {},
              response: { authenticatorData: enc(c.response.authenticatorData), clientDataJSON: enc(c.response.clientDataJSON),
                          signature: enc(c.response.signature), userHandle: enc(c.response.userHandle) } } });
          })
          .catch((e) => done({ error: String(e) }));
    "#;
    let answer = b.client.execute_async(script, vec![]).await.expect("script");
    assert!(answer.get("error").is_none(), "{answer}");
    // Finish at the replica (double-submit CSRF: any matching cookie and header).
    let r = reqwest::Client::new()
        .post(format!("{}/masuk/passkey/selesai", replica.url))
        .header("cookie", "gerbang_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .header("x-csrf-token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .json(&json!({ "ceremony": answer["ceremony"], "credential": answer["credential"], "return_to": "/akun" }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    let cookie = r.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["redirect"], "/akun");
    assert!(cookie.starts_with("gerbang_sid="), "a session from the replica");
    // The ceremony is single-use, on any replica.
    let again = reqwest::Client::new()
        .post(format!("{}/masuk/passkey/selesai", a.url))
        .header("cookie", "gerbang_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .header("x-csrf-token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .json(&json!({ "ceremony": answer["ceremony"], "credential": answer["credential"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
}
