//! The account lifecycle over HTTP, on both backends: self-registration (NIK checked against what
//! was typed, contacts proven with codes sent through a real SMTP server and an SMS provider's
//! API, no enumeration of taken NIKs), password reset, identity assurance raised by a verifikator,
//! and inactive accounts noticed then disabled.

use gerbang_core::store::{Assurance, ContactRecord, LifecycleStore, now_unix};
use gerbang_idp::accounts::{Actor, Identity, NewIdentity};
use gerbang_idp::lifecycle::proof_of_work::solve;
use gerbang_idp::lifecycle::{PopulationAnswer, PopulationData, PopulationQuery};

use crate::oidc::{PW, browse, confidential, field};
use crate::outbox::{SmsSink, SmtpSink};
use crate::strong_auth::{id_claims, start};
use crate::support::{Backend, TestServer, sql};

crate::on_both_backends!(
    registration_checks_the_nik_against_what_was_typed,
    a_taken_nik_answers_like_a_free_one_until_the_contact_is_proven,
    codes_expire_are_used_once_and_are_throttled,
    reset_ends_every_session_and_tells_the_other_contact,
    a_verifikator_raises_identity_assurance,
    unused_accounts_are_noticed_then_disabled,
    lifecycle_pages_answer_hostile_input_without_server_errors,
    registration_switched_off_is_said_and_not_offered,
);

const NIK_FREE: &str = "1374024107900001"; // woman, 1 July 1990
const NIK_TAKEN: &str = "1374021203850002"; // man, 12 March 1985
const VERIFIER_NIP: &str = "198001012005011001";

pub(crate) struct World {
    pub(crate) srv: TestServer,
    pub(crate) mail: SmtpSink,
    pub(crate) sms: SmsSink,
}

pub(crate) async fn world(backend: Backend, adjust: impl FnOnce(&mut gerbang_core::config::Config)) -> Option<World> {
    let mail = SmtpSink::start().await;
    let sms = SmsSink::start().await;
    let (smtp, sms_url) = (mail.url.clone(), sms.url.clone());
    let srv = TestServer::start_with(backend, move |c| {
        c.mail.smtp_url = smtp.into();
        c.mail.from = "SSO Padang Panjang <sso@padangpanjang.go.id>".into();
        c.sms.url = sms_url;
        c.sms.authorization = "Bearer sms-key".to_string().into();
        c.registration.proof_of_work_bits = 8;
        adjust(c);
    })
    .await?;
    Some(World { srv, mail, sms })
}

fn citizen<'a>(nik: &'a str, birth: &'a str, sex: &'a str, email: &'a str, phone: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("nik", nik),
        ("name", "Rina Marlina"),
        ("birth_date", birth),
        ("sex", sex),
        ("email", email),
        ("phone", phone),
        ("password", PW),
        ("password_again", PW),
    ]
}

/// Opens `/daftar`, does the proof of work and posts the form.
async fn register(srv: &TestServer, browser: &reqwest::Client, form: &[(&str, &str)]) -> reqwest::Response {
    let page = browser.get(format!("{}/daftar", srv.url)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let challenge = field(&html, "pow_challenge");
    let nonce = solve(&challenge);
    let mut all: Vec<(&str, String)> = vec![
        ("csrf", field(&html, "csrf")),
        ("return_to", "/akun".into()),
        ("pow_challenge", challenge),
        ("pow_nonce", nonce),
    ];
    all.extend(form.iter().map(|(k, v)| (*k, v.to_string())));
    browser.post(format!("{}/daftar", srv.url)).form(&all).send().await.unwrap()
}

async fn enter_codes(srv: &TestServer, browser: &reqwest::Client, codes: &[(&str, &str)]) -> reqwest::Response {
    let page = browser.get(format!("{}/daftar/verifikasi", srv.url)).send().await.unwrap().text().await.unwrap();
    let mut form: Vec<(&str, String)> = vec![("csrf", field(&page, "csrf")), ("return_to", "/akun".into())];
    form.extend(codes.iter().map(|(k, v)| (*k, v.to_string())));
    browser.post(format!("{}/daftar/verifikasi", srv.url)).form(&form).send().await.unwrap()
}

async fn add_contact(srv: &TestServer, account: &str, channel: &str, address: &str) {
    let mut tx = srv.store.begin().await.unwrap();
    let contact = ContactRecord { channel: channel.into(), address: address.into(), verified_at: Some(now_unix()) };
    tx.put_contact(account, &contact).await.unwrap();
    tx.commit().await.unwrap();
}

async fn registration_checks_the_nik_against_what_was_typed(backend: Backend) {
    let Some(w) = world(backend, |_| {}).await else { return };
    let srv = &w.srv;
    let browser = srv.client();
    let refused = |status: u16, needle: &'static str| {
        move |r: (u16, String)| {
            assert_eq!(r.0, status, "{needle}: {}", r.1);
            assert!(r.1.contains(needle), "expected «{needle}» in {}", r.1);
            r.1
        }
    };
    let attempt = |form: Vec<(&'static str, &'static str)>| {
        let browser = browser.clone();
        async move {
            let r = register(srv, &browser, &form).await;
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let page = refused(400, "Tanggal lahir tidak sesuai dengan NIK")(
        attempt(citizen(NIK_FREE, "1990-07-02", "P", "rina@contoh.id", "")).await,
    );
    // What was typed comes back, except the passwords.
    assert!(page.contains("value=\"Rina Marlina\"") && page.contains("value=\"rina@contoh.id\""), "{page}");
    assert!(!page.contains(PW), "a password is never sent back");
    refused(400, "Tanggal lahir tidak sesuai dengan NIK")(
        attempt(citizen(NIK_FREE, "1991-07-01", "P", "rina@contoh.id", "")).await,
    );
    refused(400, "Jenis kelamin tidak sesuai dengan NIK")(
        attempt(citizen(NIK_FREE, "1990-07-01", "L", "rina@contoh.id", "")).await,
    );
    refused(400, "NIK harus 16 digit")(attempt(citizen("137402410790", "1990-07-01", "P", "rina@contoh.id", "")).await);
    refused(400, "Isi alamat email atau nomor HP")(attempt(citizen(NIK_FREE, "1990-07-01", "P", "", "")).await);
    refused(400, "Nomor HP tidak valid")(attempt(citizen(NIK_FREE, "1990-07-01", "P", "", "0751-123")).await);
    refused(400, "Alamat email tidak valid")(attempt(citizen(NIK_FREE, "1990-07-01", "P", "rina@", "")).await);
    refused(400, "Kedua kata sandi tidak sama")(
        attempt({
            let mut f = citizen(NIK_FREE, "1990-07-01", "P", "rina@contoh.id", "");
            f[7] = ("password_again", "lain-lain-lain");
            f
        })
        .await,
    );
    assert_eq!(w.mail.inbox.all().len(), 0, "nothing is sent for a refused form");

    // Without the proof of work, or with one already spent, the form is refused.
    let html = browser.get(format!("{}/daftar", srv.url)).send().await.unwrap().text().await.unwrap();
    let challenge = field(&html, "pow_challenge");
    let mut form: Vec<(&str, String)> =
        vec![("csrf", field(&html, "csrf")), ("pow_challenge", challenge.clone()), ("pow_nonce", String::new())];
    form.extend(
        citizen(NIK_FREE, "1990-07-01", "P", "rina@contoh.id", "").into_iter().map(|(k, v)| (k, v.to_string())),
    );
    let r = browser.post(format!("{}/daftar", srv.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("anti-otomatisasi"));
    form[2].1 = solve(&challenge);
    let r = browser.post(format!("{}/daftar", srv.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 303, "solved");
    let r = browser.post(format!("{}/daftar", srv.url)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 400, "the same solution twice");
    assert!(r.text().await.unwrap().contains("anti-otomatisasi"));
    assert_eq!(w.mail.inbox.count_to("rina@contoh.id"), 1);
}

async fn a_taken_nik_answers_like_a_free_one_until_the_contact_is_proven(backend: Backend) {
    let Some(w) = world(backend, |_| {}).await else { return };
    let srv = &w.srv;
    let owner = srv.with_warga(NIK_TAKEN, "Budi Santoso", PW).await;
    add_contact(srv, &owner, "email", "budi@contoh.id").await;

    let (taken, free) = (srv.client(), srv.client());
    let r1 = register(srv, &taken, &citizen(NIK_TAKEN, "1985-03-12", "L", "penyusup@contoh.id", "")).await;
    let r2 = register(srv, &free, &citizen(NIK_FREE, "1990-07-01", "P", "rina@contoh.id", "")).await;
    for r in [&r1, &r2] {
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/daftar/verifikasi?return_to=%2Fakun");
    }
    let shape = |html: String, masked: &str| {
        let csrf = field(&html, "csrf");
        html.replace(&csrf, "CSRF").replace(masked, "ADDRESS")
    };
    let p1 = taken.get(format!("{}/daftar/verifikasi", srv.url)).send().await.unwrap();
    let p2 = free.get(format!("{}/daftar/verifikasi", srv.url)).send().await.unwrap();
    assert_eq!((p1.status().as_u16(), p2.status().as_u16()), (200, 200));
    assert_eq!(
        shape(p1.text().await.unwrap(), "p***@contoh.id"),
        shape(p2.text().await.unwrap(), "r***@contoh.id"),
        "a taken NIK and a free one get the same page"
    );
    let m1 = w.mail.inbox.nth_to("penyusup@contoh.id", 1).await;
    let m2 = w.mail.inbox.nth_to("rina@contoh.id", 1).await;
    assert!(m1.text.contains("Subject: Kode pendaftaran SSO Padang Panjang"), "{}", m1.text);
    assert!(m2.text.contains("Subject: Kode pendaftaran SSO Padang Panjang"));
    assert!(m1.text.contains("SSO Padang Panjang\" <sso@padangpanjang.go.id>"), "{}", m1.text);

    // Once the contact is proven, the taken NIK is said, and its owner is told.
    let r = enter_codes(srv, &taken, &[("code_email", &m1.code())]).await;
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("NIK ini sudah memiliki akun"));
    let told = w.mail.inbox.nth_to("budi@contoh.id", 1).await;
    assert!(told.text.contains("Percobaan pendaftaran"), "{}", told.text);

    // A wrong code counts; the right one makes the account and signs the person in.
    let wrong = if m2.code() == "000000" { "111111" } else { "000000" };
    let r = enter_codes(srv, &free, &[("code_email", wrong)]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Kode salah. Sisa percobaan: 4"));
    let r = enter_codes(srv, &free, &[("code_email", &m2.code())]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/akun");
    let page = free.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Rina Marlina") && page.contains("1374********0001"), "{page}");
    assert!(page.contains("Terdaftar (belum diverifikasi"), "{page}");
    assert!(page.contains("r***@contoh.id"), "the proven contact is listed: {page}");
    let account = srv.accounts.find(&Identity::parse(NIK_FREE).unwrap()).await.unwrap().unwrap();
    assert_eq!(account.assurance, Assurance::Terdaftar);

    // The registration is over: its code cannot be used again.
    let again = free
        .post(format!("{}/daftar/verifikasi", srv.url))
        .form(&[("csrf", field(&page, "csrf")), ("code_email", m2.code())])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert!(again.text().await.unwrap().contains("kedaluwarsa"));
    // And the NIK cannot be registered twice: the second gets the taken answer after its code.
    let third = srv.client();
    assert_eq!(register(srv, &third, &citizen(NIK_FREE, "1990-07-01", "P", "", "081234567890")).await.status(), 303);
    let sms = w.sms.inbox.nth_to("+6281234567890", 1).await;
    assert_eq!(enter_codes(srv, &third, &[("code_sms", &sms.code())]).await.status(), 409);
}

async fn codes_expire_are_used_once_and_are_throttled(backend: Backend) {
    let Some(w) = world(backend, |c| c.registration.per_address_per_hour = 3).await else { return };
    let srv = &w.srv;
    let browser = srv.client();
    assert_eq!(
        register(srv, &browser, &citizen(NIK_FREE, "1990-07-01", "P", "", "0812-3456-7890")).await.status(),
        303
    );
    let first = w.sms.inbox.nth_to("+6281234567890", 1).await;
    assert!(first.text.contains("Kode pendaftaran"), "{}", first.text);
    // A new code only after a minute.
    let page = browser.get(format!("{}/daftar/verifikasi", srv.url)).send().await.unwrap().text().await.unwrap();
    let resend = |page: String| {
        let browser = browser.clone();
        async move {
            let r = browser
                .post(format!("{}/daftar/kirim-ulang", srv.url))
                .form(&[("csrf", field(&page, "csrf")), ("return_to", "/akun".into())])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, text) = resend(page.clone()).await;
    assert_eq!(status, 400);
    assert!(text.contains("Tunggu satu menit"), "{text}");
    // Expired: the code no longer works, and a new one (a minute later) does.
    sql(&srv.store, "UPDATE one_time_codes SET expires_at = 1, created_at = created_at - 120").await;
    let r = enter_codes(srv, &browser, &[("code_sms", &first.code())]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Kode sudah kedaluwarsa"));
    let (status, text) = resend(page).await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Kode baru telah dikirim"));
    let second = w.sms.inbox.nth_to("+6281234567890", 2).await;
    // Five wrong tries spend it, even for the right code afterwards.
    let wrong = if second.code() == "999999" { "888888" } else { "999999" };
    for left in (0..5).rev() {
        let r = enter_codes(srv, &browser, &[("code_sms", wrong)]).await;
        let text = r.text().await.unwrap();
        if left > 0 {
            assert!(text.contains(&format!("Sisa percobaan: {left}")), "{text}");
        } else {
            assert!(text.contains("terlalu sering salah"), "{text}");
        }
    }
    let r = enter_codes(srv, &browser, &[("code_sms", &second.code())]).await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("terlalu sering salah"));
    // Codes are stored hashed: the digits are nowhere in the table.
    let stored = format!("{:?}", srv.store.conn().await.unwrap().latest_code("x", "register", "sms").await.unwrap());
    assert!(!stored.contains(&second.code()));

    // Per source address: the fourth registration within the hour is refused.
    assert_eq!(
        register(srv, &srv.client(), &citizen(NIK_FREE, "1990-07-01", "P", "", "081298765432")).await.status(),
        303
    );
    assert_eq!(
        register(srv, &srv.client(), &citizen(NIK_FREE, "1990-07-01", "P", "", "081298765433")).await.status(),
        303
    );
    let r = register(srv, &srv.client(), &citizen(NIK_FREE, "1990-07-01", "P", "", "081298765434")).await;
    assert_eq!(r.status(), 429);
    assert!(r.text().await.unwrap().contains("Terlalu banyak permintaan"));
}

pub(crate) async fn reset(
    srv: &TestServer,
    browser: &reqwest::Client,
    identifier: &str,
    channel: &str,
) -> reqwest::Response {
    let page = browser.get(format!("{}/lupa-sandi", srv.url)).send().await.unwrap().text().await.unwrap();
    browser
        .post(format!("{}/lupa-sandi", srv.url))
        .form(&[("csrf", field(&page, "csrf").as_str()), ("identifier", identifier), ("channel", channel)])
        .send()
        .await
        .unwrap()
}

pub(crate) async fn new_password(
    srv: &TestServer,
    browser: &reqwest::Client,
    code: &str,
    password: &str,
) -> reqwest::Response {
    let page = browser.get(format!("{}/lupa-sandi/kode", srv.url)).send().await.unwrap().text().await.unwrap();
    browser
        .post(format!("{}/lupa-sandi/kode", srv.url))
        .form(&[
            ("csrf", field(&page, "csrf").as_str()),
            ("code", code),
            ("password", password),
            ("password_again", password),
        ])
        .send()
        .await
        .unwrap()
}

async fn reset_ends_every_session_and_tells_the_other_contact(backend: Backend) {
    let Some(w) = world(backend, |_| {}).await else { return };
    let srv = &w.srv;
    let id = srv.with_warga(NIK_TAKEN, "Budi Santoso", PW).await;
    add_contact(srv, &id, "email", "budi@contoh.id").await;
    add_contact(srv, &id, "sms", "+6281311112222").await;
    let secret = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap().1.unwrap();
    // Signed in twice: a browser session, and an application holding a refresh token.
    let old = srv.client();
    assert_eq!(srv.login(&old, NIK_TAKEN, PW).await.status(), 303);
    let (url, _, nonce, verifier) = start(srv, &old, "").await;
    let url = url.replace("scope=openid", "scope=openid%20offline_access&prompt=consent");
    let back = browse(srv, &old, &url, (NIK_TAKEN, PW), "allow").await;
    let _ = (nonce, verifier);
    let code = crate::oidc::param(&back, "code").unwrap();

    // Unknown NIK, or a channel without a proven contact: the same answer, nothing sent.
    let stranger = srv.client();
    for (who, channel) in [(NIK_FREE, "email"), (NIK_TAKEN, "bogus")] {
        let r = reset(srv, &stranger, who, channel).await;
        if channel == "bogus" {
            assert_eq!(r.status(), 400);
        } else {
            assert_eq!(r.status(), 303);
            assert_eq!(r.headers()["location"], "/lupa-sandi/kode");
        }
    }
    let r = reset(srv, &stranger, "12345", "email").await;
    assert_eq!(r.status(), 400, "a malformed number is said");
    // A request for an unknown NIK refuses codes exactly as a real one does.
    let decoy = new_password(srv, &stranger, "000000", "sandi-baru-yang-panjang").await;
    assert_eq!(decoy.status(), 400);
    let decoy = decoy.text().await.unwrap();
    assert!(decoy.contains("Kode salah. Sisa percobaan: 4"), "{decoy}");
    let browser = srv.client();
    let r = reset(srv, &browser, NIK_TAKEN, "email").await;
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/lupa-sandi/kode"));
    let mail = w.mail.inbox.nth_to("budi@contoh.id", 1).await;
    assert!(mail.text.contains("Kode untuk mengatur kata sandi"), "{}", mail.text);
    // A wrong code, then the right one with a new password.
    let wrong = if mail.code() == "000000" { "111111" } else { "000000" };
    let r = new_password(srv, &browser, wrong, "sandi-baru-yang-panjang").await;
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("Kode salah. Sisa percobaan: 4"), "the same answer as a decoy's");
    let r = new_password(srv, &browser, &mail.code(), "sandi-baru-yang-panjang").await;
    let text = r.text().await.unwrap();
    assert!(text.contains("Kata sandi baru sudah disimpan"), "{text}");
    // The old session is gone, the application's refresh token too, the old password as well.
    let r = old.get(format!("{}/akun", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 303, "the old session ended");
    let http = crate::oidc::http();
    let tokens: serde_json::Value = {
        // The code was issued before the reset: its grant is revoked, so the exchange fails.
        let r = http
            .post(format!("{}/token", srv.url))
            .basic_auth("rp-app", Some(&secret))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", crate::oidc::CALLBACK),
            ])
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    };
    assert_eq!(tokens["error"], "invalid_grant", "{tokens}");
    assert_eq!(srv.login(&srv.client(), NIK_TAKEN, PW).await.status(), 401);
    assert_eq!(srv.login(&srv.client(), NIK_TAKEN, "sandi-baru-yang-panjang").await.status(), 303);
    // Both contacts are told, the other one (SMS) included.
    let sms = w.sms.inbox.nth_to("+6281311112222", 1).await;
    assert!(sms.text.contains("Kata sandi SSO Anda telah diubah"), "{}", sms.text);
    w.mail.inbox.nth_to("budi@contoh.id", 2).await;
    // The request is over: its cookie is gone, and its code cannot be used again.
    let r = browser.get(format!("{}/lupa-sandi/kode", srv.url)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/lupa-sandi"));
    let replay = srv
        .state
        .lifecycle
        .complete_reset(&reset_request_id(srv).await, &mail.code(), "sandi-ketiga-panjang", "sandi-ketiga-panjang")
        .await;
    assert!(replay.is_err(), "a used reset code");
}

/// The id of the newest reset request (what the browser's cookie held).
async fn reset_request_id(srv: &TestServer) -> String {
    let mut tx = srv.store.begin().await.unwrap();
    let id = match &mut tx {
        gerbang_core::store::Tx::Sqlite(t) => sqlx::query_scalar::<_, String>(
            "SELECT id FROM one_time_codes WHERE purpose = 'reset' AND subject <> '' ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_one(&mut **t)
        .await
        .unwrap(),
        gerbang_core::store::Tx::Postgres(t) => sqlx::query_scalar::<_, String>(
            "SELECT id FROM one_time_codes WHERE purpose = 'reset' AND subject <> '' ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_one(&mut **t)
        .await
        .unwrap(),
    };
    tx.commit().await.unwrap();
    id
}

struct TestDoubleDukcapil;

impl PopulationData for TestDoubleDukcapil {
    fn name(&self) -> &str {
        "test double of the Dukcapil verification service"
    }
    fn check<'a>(&'a self, q: &'a PopulationQuery) -> gerbang_idp::lifecycle::assurance::PopulationFuture<'a> {
        Box::pin(async move {
            Ok(if q.name == "Rina Marlina" {
                PopulationAnswer::Match
            } else {
                PopulationAnswer::Mismatch(vec!["nama".into()])
            })
        })
    }
}

async fn a_verifikator_raises_identity_assurance(backend: Backend) {
    let Some(w) = world(backend, |_| {}).await else { return };
    let srv = &w.srv;
    srv.state.lifecycle.connect_population_data(std::sync::Arc::new(TestDoubleDukcapil));
    let secret = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap().1.unwrap();
    let citizen_browser = srv.client();
    assert_eq!(
        register(srv, &citizen_browser, &citizen(NIK_FREE, "1990-07-01", "P", "rina@contoh.id", "")).await.status(),
        303
    );
    let code = w.mail.inbox.nth_to("rina@contoh.id", 1).await.code();
    assert_eq!(enter_codes(srv, &citizen_browser, &[("code_email", &code)]).await.status(), 303);
    let sign_in = || async {
        let (url, _, nonce, verifier) = start(srv, &citizen_browser, "").await;
        let back = browse(srv, &citizen_browser, &url, (NIK_FREE, PW), "allow").await;
        id_claims(srv, &secret, &back, &nonce, verifier).await
    };
    let before = sign_in().await;
    assert_eq!(before["identity_assurance"], "terdaftar");
    assert_eq!(before["acr"], "warga");

    // Only a verifikator may use the counter page.
    let officer_id = srv
        .accounts
        .create(
            NewIdentity {
                identity: Identity::parse(VERIFIER_NIP).unwrap(),
                name: "Petugas Loket".into(),
                password: Some(PW.into()),
                roles: vec!["verifikator".into()],
            },
            Actor("test"),
        )
        .await
        .unwrap();
    let r = citizen_browser.get(format!("{}/verifikasi", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let officer = srv.client();
    assert_eq!(srv.login(&officer, VERIFIER_NIP, PW).await.status(), 303);
    let page = officer.get(format!("{}/verifikasi", srv.url)).send().await.unwrap().text().await.unwrap();
    let r = officer
        .post(format!("{}/verifikasi", srv.url))
        .form(&[("csrf", field(&page, "csrf").as_str()), ("nik", NIK_FREE)])
        .send()
        .await
        .unwrap();
    let found = r.text().await.unwrap();
    assert!(found.contains("Rina Marlina") && found.contains("01-07-1990") && found.contains("perempuan"), "{found}");
    assert!(found.contains("test double of the Dukcapil verification service") && found.contains("cocok"), "{found}");
    let account = srv.accounts.find(&Identity::parse(NIK_FREE).unwrap()).await.unwrap().unwrap();
    let action = format!("{}/verifikasi/{}", srv.url, account.id);
    // The KTP-el check must be ticked and the place given.
    let r = officer
        .post(&action)
        .form(&[("csrf", field(&page, "csrf").as_str()), ("place", "Loket Disdukcapil, MPP Padang Panjang")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("KTP-el sudah diperiksa"));
    let r = officer
        .post(&action)
        .form(&[
            ("csrf", field(&page, "csrf").as_str()),
            ("place", "Loket Disdukcapil, MPP Padang Panjang"),
            ("ktp_checked", "on"),
            ("note", "KTP-el asli"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let done = r.text().await.unwrap();
    assert!(
        done.contains("Identitas terverifikasi dan dicatat") && done.contains("Loket Disdukcapil, MPP Padang Panjang"),
        "{done}"
    );
    assert!(done.contains(&officer_id), "who verified is recorded: {done}");

    let after = sign_in().await;
    assert_eq!(after["identity_assurance"], "terverifikasi");
    assert_eq!(after["acr"], "warga-terverifikasi", "the level requiring a proven identity is reached");
}

async fn unused_accounts_are_noticed_then_disabled(backend: Backend) {
    let Some(w) = world(backend, |c| {
        c.accounts.disable_inactive_after_days = 30;
        c.accounts.inactivity_notice_days = 7;
    })
    .await
    else {
        return;
    };
    let srv = &w.srv;
    let idle = srv.with_warga(NIK_FREE, "Rina Marlina", PW).await;
    add_contact(srv, &idle, "email", "rina@contoh.id").await;
    let active = srv.with_warga(NIK_TAKEN, "Budi Santoso", PW).await;
    let now = now_unix();
    let lifecycle = &srv.state.lifecycle;
    let swept = lifecycle.sweep_inactive(now + 10 * 86_400).await.unwrap();
    assert_eq!((swept.noticed, swept.disabled), (0, 0), "not idle long enough");
    let swept = lifecycle.sweep_inactive(now + 31 * 86_400).await.unwrap();
    assert_eq!((swept.noticed, swept.disabled), (2, 0));
    let notice = w.mail.inbox.nth_to("rina@contoh.id", 1).await;
    assert!(notice.text.contains("akan dinonaktifkan"), "{}", notice.text);
    // Budi signs in after the notice (his sign-in is dated after it): he stays.
    assert_eq!(srv.login(&srv.client(), NIK_TAKEN, PW).await.status(), 303);
    sql(&srv.store, &format!("UPDATE sign_ins SET at = {} WHERE account_id = '{active}'", now + 32 * 86_400)).await;
    let swept = lifecycle.sweep_inactive(now + 39 * 86_400).await.unwrap();
    assert_eq!((swept.noticed, swept.disabled), (0, 1));
    let state = |id: &str| {
        let id = id.to_string();
        async move { srv.accounts.by_id(&id).await.unwrap().unwrap().status }
    };
    assert_eq!(state(&idle).await, gerbang_core::store::AccountStatus::Disabled);
    assert_eq!(state(&active).await, gerbang_core::store::AccountStatus::Active);
    assert_eq!(srv.login(&srv.client(), NIK_FREE, PW).await.status(), 401, "disabled accounts cannot sign in");
    // Enabled again by an administrator: the old notice is forgotten, the next sweep leaves it.
    srv.accounts.set_status(&idle, gerbang_core::store::AccountStatus::Active, Actor("test")).await.unwrap();
    let swept = lifecycle.sweep_inactive(now + 39 * 86_400 + 3600).await.unwrap();
    assert_eq!(swept.disabled, 0, "{swept:?}");
}

/// Every field of every lifecycle form, with hostile values (and the proof of work done, so the
/// values reach the checks behind it): a readable page with a 4xx or a redirect, never a 5xx.
async fn lifecycle_pages_answer_hostile_input_without_server_errors(backend: Backend) {
    let Some(w) = world(backend, |c| c.registration.per_address_per_hour = 10_000).await else { return };
    let srv = &w.srv;
    let officer = srv.client();
    srv.accounts
        .create(
            NewIdentity {
                identity: Identity::parse(VERIFIER_NIP).unwrap(),
                name: "Petugas".into(),
                password: Some(PW.into()),
                roles: vec!["verifikator".into()],
            },
            Actor("test"),
        )
        .await
        .unwrap();
    assert_eq!(srv.login(&officer, VERIFIER_NIP, PW).await.status(), 303);
    let fields = [
        "nik",
        "name",
        "birth_date",
        "sex",
        "email",
        "phone",
        "password",
        "password_again",
        "code",
        "code_email",
        "code_sms",
        "identifier",
        "channel",
        "place",
        "ktp_checked",
        "note",
        "return_to",
    ];
    let check = |what: String, r: reqwest::Response| async move {
        let status = r.status();
        let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let body = r.text().await.unwrap();
        assert!(status.is_client_error() || status.is_redirection() || status.is_success(), "{what}: {status} {body}");
        assert!(status.is_redirection() || kind.starts_with("text/html"), "{what}: {kind}");
    };
    for value in crate::admin_hostile::hostile() {
        for path in [
            "/daftar",
            "/daftar/verifikasi",
            "/daftar/kirim-ulang",
            "/lupa-sandi",
            "/lupa-sandi/kode",
            "/verifikasi",
            "/verifikasi/x",
        ] {
            let browser = if path.starts_with("/verifikasi") { officer.clone() } else { srv.client() };
            let page = browser.get(format!("{}/daftar", srv.url)).send().await.unwrap().text().await.unwrap();
            let challenge = field(&page, "pow_challenge");
            let mut form: Vec<(&str, String)> =
                vec![("csrf", field(&page, "csrf")), ("pow_nonce", solve(&challenge)), ("pow_challenge", challenge)];
            form.extend(fields.iter().map(|f| (*f, value.clone())));
            let r = browser.post(format!("{}{path}", srv.url)).form(&form).send().await.unwrap();
            check(format!("POST {path} with {:?}", value.chars().take(20).collect::<String>()), r).await;
            // Hostile proof-of-work fields too.
            form[1].1 = value.clone();
            form[2].1 = value.clone();
            let r = browser.post(format!("{}{path}", srv.url)).form(&form).send().await.unwrap();
            check(format!("POST {path} with a hostile proof of work"), r).await;
            let r = browser
                .get(format!(
                    "{}{path}?return_to={}",
                    srv.url,
                    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
                ))
                .send()
                .await
                .unwrap();
            check(format!("GET {path}"), r).await;
        }
    }
}

async fn registration_switched_off_is_said_and_not_offered(backend: Backend) {
    let Some(w) = world(backend, |c| c.registration.enabled = false).await else { return };
    let srv = &w.srv;
    let browser = srv.client();
    let login = browser.get(format!("{}/masuk", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(!login.contains("id=\"register\"") && login.contains("id=\"forgot\""), "{login}");
    let r = browser.get(format!("{}/daftar", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Pendaftaran mandiri belum tersedia"));
    let r = browser
        .post(format!("{}/daftar", srv.url))
        .form(&[("csrf", field(&login, "csrf")), ("nik", NIK_FREE.into())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Pendaftaran mandiri belum tersedia"));
    assert!(w.mail.inbox.all().is_empty());
}
