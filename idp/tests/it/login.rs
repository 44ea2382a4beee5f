//! Password sign-in over HTTP: pages, errors, sessions, CSRF, languages, enumeration.

use gerbang_core::store::AccountStore;

use crate::support::{Backend, TestServer, csrf_token};

crate::on_both_backends!(
    asn_signs_in_with_formatted_nip_and_sees_account,
    citizen_page_shows_masked_nik_only,
    unknown_account_and_wrong_password_get_the_same_answer,
    malformed_identifier_gets_specific_message,
    form_without_csrf_is_refused_with_a_page,
    logout_ends_the_session,
    outdated_password_hash_is_upgraded_on_login,
);

const NIP: &str = "199003152015032002";
const PW: &str = "kata-sandi-panjang";

async fn asn_signs_in_with_formatted_nip_and_sees_account(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    srv.with_asn(NIP, "Siti Rahmawati", PW).await;
    let client = srv.client();
    let r = srv.login(&client, "19900315 201503 2 002", PW).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/akun");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("gerbang_sid="));
    let cookie = cookie.expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");

    let page = client.get(format!("{}/akun", srv.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Siti Rahmawati") && html.contains(NIP) && html.contains("(PNS)"), "{html}");
    assert!(html.contains("Akun saya"));
    // Signed in: the login page sends the person on.
    let again = client.get(format!("{}/masuk", srv.url)).send().await.unwrap();
    assert_eq!(again.status(), 303);
}

async fn citizen_page_shows_masked_nik_only(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let nik = "1374024107900001";
    srv.with_warga(nik, "Rina Marlina", PW).await;
    let client = srv.client();
    assert_eq!(srv.login(&client, "1374-0241-0790-0001", PW).await.status(), 303);
    let html = client.get(format!("{}/akun?lang=en", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("1374********0001"), "{html}");
    assert!(!html.contains(nik));
    assert!(html.contains("My account") && html.contains("Citizen"), "English on request");
}

/// No account enumeration: an unknown NIP and a wrong password look the same.
async fn unknown_account_and_wrong_password_get_the_same_answer(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    srv.with_asn(NIP, "Siti", PW).await;
    let wrong = srv.login(&srv.client(), NIP, "bukan-kata-sandinya").await;
    let unknown = srv.login(&srv.client(), "198001012005011001", PW).await;
    assert_eq!((wrong.status().as_u16(), unknown.status().as_u16()), (401, 401));
    let (a, b) = (wrong.text().await.unwrap(), unknown.text().await.unwrap());
    // minijinja escapes "/" in HTML, so match the part after it.
    let msg = "NIK atau kata sandi salah.";
    assert!(a.contains(msg) && b.contains(msg));
    // The pages differ only in the echoed identifier and the CSRF token.
    let strip = |s: &str, id: &str| s.replace(id, "").replace(&csrf_token(s), "");
    assert_eq!(strip(&a, NIP), strip(&b, "198001012005011001"));
}

async fn malformed_identifier_gets_specific_message(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let cases = [
        ("12345", "18 digit"),
        // 30 February in the NIP's birth date.
        ("199002302015032002", "tanggal"),
        // Sex digit 3.
        ("199003152015033002", "jenis kelamin"),
    ];
    for (input, expected) in cases {
        let r = srv.login(&srv.client(), input, PW).await;
        assert_eq!(r.status(), 400, "{input}");
        let html = r.text().await.unwrap();
        assert!(html.to_lowercase().contains(expected), "{input}: {html}");
        assert!(html.contains(&format!("value=\"{input}\"")), "the typed value is kept");
    }
}

async fn form_without_csrf_is_refused_with_a_page(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    srv.with_asn(NIP, "Siti", PW).await;
    let client = srv.client();
    let r = client
        .post(format!("{}/masuk", srv.url))
        .form(&[("csrf", "forged"), ("identifier", NIP), ("password", PW)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("Formulir kedaluwarsa"));
    // A body that is not a form at all gets a readable 400 page, not plain text.
    let r = client
        .post(format!("{}/masuk", srv.url))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("<html"));
    // Unknown pages and methods get themed pages too.
    let r = client.get(format!("{}/tidak-ada?lang=en", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Page not found"));
    let r = client.delete(format!("{}/masuk", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 405);
}

async fn logout_ends_the_session(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    srv.with_asn(NIP, "Siti", PW).await;
    let client = srv.client();
    assert_eq!(srv.login(&client, NIP, PW).await.status(), 303);
    let html = client.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap();
    let r = client.post(format!("{}/keluar", srv.url)).form(&[("csrf", csrf_token(&html))]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let r = client.get(format!("{}/akun", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 303, "signed out");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk"));
}

async fn outdated_password_hash_is_upgraded_on_login(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let id = srv.with_asn(NIP, "Siti", PW).await;
    let old = srv.hasher_with(8 * 1024).hash(PW);
    let mut tx = srv.store.begin().await.unwrap();
    tx.set_password(&id, &old, 1).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(srv.login(&srv.client(), NIP, PW).await.status(), 303);
    let stored = srv.store.conn().await.unwrap().password(&id).await.unwrap().unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    assert_ne!(stored, old);
}
