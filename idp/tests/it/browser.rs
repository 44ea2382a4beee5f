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
    pub shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
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
        // The flags this machine needs for Chromium in a closed network, as root, headless.
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=420,900", "--lang=id-ID",
            ]}),
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
        Some(Browser { client, driver, shots })
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

    /// The text of an element, waiting (up to 10 s) for it to appear after a navigation.
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.unwrap()
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
