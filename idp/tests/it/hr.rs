//! The HR import (SIMPEG CSV) through the admin page over real HTTP, and deprovisioning: a civil
//! servant marked as left loses every session and token, and the applications get back-channel
//! logouts. Activation of an imported account goes through the HR-registered contact.

use std::collections::HashMap;

use gerbang_core::store::{AccountStatus, AccountStore, LifecycleStore};
use gerbang_idp::accounts::{Actor, Identity, NewIdentity};
use reqwest::multipart::{Form, Part};

use crate::lifecycle::{new_password, reset, world};
use crate::oidc::{browse, confidential, field, http, param};
use crate::support::{Backend, LogoutReceiver, TestServer};

crate::on_both_backends!(
    ten_thousand_rows_land_once_and_every_bad_row_is_named,
    a_civil_servant_who_left_is_deprovisioned
);

const ADMIN_NIP: &str = "197502022000031002";
const PW: &str = "kata-sandi-panjang";

/// A valid NIP, different for every `i` (birth date, TMT, sex and sequence all vary).
fn nip(i: usize) -> String {
    let (y, m, d) = (1960 + i % 40, 1 + i % 12, 1 + i % 28);
    let (ty, tm, sex, seq) = (y + 20 + i % 5, 1 + (i / 12) % 12, 1 + i % 2, i % 999 + 1);
    format!("{y}{m:02}{d:02}{ty}{tm:02}{sex}{seq:03}")
}

/// What is wrong with a bad row, and a piece of the message that must name it.
#[derive(Debug, Clone)]
enum Bad {
    ShortNip,
    NipMonth13,
    UnknownOpd,
    Email,
    DuplicateOf(u64),
}

/// `n` rows (line 1 is the header, row i is on line i + 2); every 100th row is bad, in turn
/// one of five ways. Returns the file and the expected refusal of each bad line.
fn generated(n: usize) -> (String, HashMap<u64, Bad>) {
    let mut out = String::from("NIP;Nama;OPD;Status;Email;Telepon\n");
    let mut bad = HashMap::new();
    for i in 0..n {
        let line = i as u64 + 2;
        let opd = if i % 2 == 0 { "bkpsdm" } else { "diskominfo" };
        let mut row = [
            nip(i),
            format!("Pegawai {i}"),
            opd.into(),
            "aktif".into(),
            format!("p{i}@contoh.go.id"),
            format!("0812{i:08}"),
        ];
        if i % 100 == 37 {
            let kind = match (i / 100) % 5 {
                0 => Bad::ShortNip,
                1 => Bad::NipMonth13,
                2 => Bad::UnknownOpd,
                3 => Bad::Email,
                _ => Bad::DuplicateOf(line - 30),
            };
            match &kind {
                Bad::ShortNip => row[0].truncate(17),
                Bad::NipMonth13 => row[0].replace_range(4..6, "13"),
                Bad::UnknownOpd => row[2] = "dinas-yang-tidak-ada".into(),
                Bad::Email => row[4] = "bukan-alamat@".into(),
                Bad::DuplicateOf(_) => row[0] = nip(i - 30),
            }
            bad.insert(line, kind);
        }
        out.push_str(&row.join(";"));
        out.push('\n');
    }
    (out, bad)
}

async fn admin(srv: &TestServer) -> reqwest::Client {
    let new = NewIdentity {
        identity: Identity::parse(ADMIN_NIP).unwrap(),
        name: "Admin Kota".into(),
        password: Some(PW.into()),
        roles: vec!["admin".into()],
    };
    srv.accounts.create(new, Actor("test")).await.unwrap();
    let browser = srv.client();
    assert_eq!(srv.login(&browser, ADMIN_NIP, PW).await.status(), 303);
    browser
}

/// Uploads a file on the admin page; returns the status and the page.
async fn upload(srv: &TestServer, browser: &reqwest::Client, csv: &str, dry_run: bool) -> (u16, String) {
    let page = browser.get(format!("{}/admin/asn/impor", srv.url)).send().await.unwrap().text().await.unwrap();
    let mut form = Form::new()
        .text("csrf", field(&page, "csrf"))
        .part("file", Part::bytes(csv.as_bytes().to_vec()).file_name("simpeg.csv").mime_str("text/csv").unwrap());
    if dry_run {
        form = form.text("dry_run", "on");
    }
    let r = browser.post(format!("{}/admin/asn/impor", srv.url)).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value after the `<dt>` labelled `label` in the page's summary.
fn fact(page: &str, label: &str) -> usize {
    let at = page.find(&format!("<dt>{label}</dt><dd>")).unwrap_or_else(|| panic!("no fact {label:?}"));
    let rest = &page[at + label.len() + 13..];
    rest[..rest.find('<').unwrap()].parse().unwrap()
}

/// The rows of the table with this id, as cell texts.
fn rows(page: &str, id: &str) -> Vec<Vec<String>> {
    let Some(start) = page.find(&format!("<table class=\"list\" id=\"{id}\">")) else { return vec![] };
    let table = &page[start..start + page[start..].find("</table>").unwrap()];
    table
        .split("<tr>")
        .skip(2)
        .map(|r| r.split("<td>").skip(1).map(|c| c[..c.find("</td>").unwrap()].to_string()).collect())
        .collect()
}

async fn count_accounts(srv: &TestServer) -> i64 {
    srv.store.conn().await.unwrap().count_accounts().await.unwrap()
}

async fn ten_thousand_rows_land_once_and_every_bad_row_is_named(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    let browser = admin(&srv).await;
    let (csv, bad) = generated(10_000);
    assert_eq!(bad.len(), 100);
    // Only an administrator may import.
    let stranger = srv.client();
    srv.with_asn("198503152010012003", "Bukan Admin", PW).await;
    assert_eq!(srv.login(&stranger, "198503152010012003", PW).await.status(), 303);
    let r = stranger.get(format!("{}/admin/asn/impor", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let sign_in_page = stranger.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap();
    let form = Form::new()
        .text("csrf", field(&sign_in_page, "csrf"))
        .part("file", Part::bytes(csv.as_bytes().to_vec()).file_name("simpeg.csv"));
    let r = stranger.post(format!("{}/admin/asn/impor", srv.url)).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let before = count_accounts(&srv).await;

    // The dry run says what would happen and writes nothing.
    let (status, page) = upload(&srv, &browser, &csv, true).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Uji coba: belum ada yang disimpan"));
    assert_eq!(
        (fact(&page, "Baris dibaca"), fact(&page, "Akun dibuat"), fact(&page, "Baris salah")),
        (10_000, 9_900, 100)
    );
    assert_eq!(count_accounts(&srv).await, before, "a dry run writes nothing");

    // The import: the good rows land, and each bad row is named with its line and its fault.
    let (status, page) = upload(&srv, &browser, &csv, false).await;
    assert_eq!(status, 200);
    assert!(page.contains("Impor selesai"));
    assert_eq!(
        (fact(&page, "Akun dibuat"), fact(&page, "Kontak diisi"), fact(&page, "Baris salah")),
        (9_900, 19_800, 100)
    );
    assert!(page.contains("<svg"), "the counts are shown as a chart");
    let failures = rows(&page, "failures");
    assert_eq!(failures.len(), 100);
    for row in &failures {
        let line: u64 = row[0].parse().unwrap();
        let message = &row[2];
        let expected = bad.get(&line).unwrap_or_else(|| panic!("line {line} is not a bad one: {row:?}"));
        let named = match expected {
            Bad::ShortNip | Bad::NipMonth13 => message.starts_with("NIP: "),
            Bad::UnknownOpd => message.contains("dinas-yang-tidak-ada"),
            Bad::Email => message.contains("email"),
            Bad::DuplicateOf(first) => message.contains(&format!("baris {first}")),
        };
        assert!(named, "line {line} ({expected:?}) got {message:?}");
    }
    assert_eq!(count_accounts(&srv).await, before + 9_900);
    let one = srv.accounts.find(&Identity::parse(&nip(1)).unwrap()).await.unwrap().expect("row 1 imported");
    assert_eq!((one.display_name.as_str(), one.opd_id.as_deref()), ("Pegawai 1", Some("diskominfo")));
    let contacts = srv.store.conn().await.unwrap().contacts(&one.id).await.unwrap();
    assert!(contacts.iter().all(|c| c.verified_at.is_some()) && contacts.len() == 2, "{contacts:?}");
    assert!(srv.accounts.find(&Identity::parse(&nip(237)).unwrap()).await.unwrap().is_none(), "a bad row is skipped");

    // The same file again changes nothing.
    let audit_before = audit_rows(&srv).await;
    let (_, page) = upload(&srv, &browser, &csv, false).await;
    assert_eq!(
        (fact(&page, "Akun dibuat"), fact(&page, "Tanpa perubahan"), fact(&page, "Baris salah")),
        (0, 9_900, 100)
    );
    assert_eq!(count_accounts(&srv).await, before + 9_900);
    assert_eq!(audit_rows(&srv).await, audit_before, "nothing written, not even to the audit log");

    // A later export: one moves, one is renamed, one leaves; the dry run lists exactly those.
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    lines[2] = lines[2].replace(";diskominfo;", ";dinkes;");
    lines[3] = lines[3].replace("Pegawai 2;", "Pegawai Dua, S.Kom.;");
    lines[4] = lines[4].replace(";aktif;", ";keluar;");
    let changed = lines.join("\n");
    let (_, page) = upload(&srv, &browser, &changed, true).await;
    assert_eq!(
        (fact(&page, "Pindah OPD"), fact(&page, "Nama diubah"), fact(&page, "Dinonaktifkan (keluar)")),
        (1, 1, 1)
    );
    let listed: Vec<String> = rows(&page, "changes").into_iter().map(|r| r[3].clone()).collect();
    assert_eq!(listed, ["OPD diskominfo → dinkes", "nama Pegawai 2 → Pegawai Dua, S.Kom.", "dinonaktifkan"]);
    upload(&srv, &browser, &changed, false).await;
    let left = srv.accounts.find(&Identity::parse(&nip(3)).unwrap()).await.unwrap().unwrap();
    assert_eq!((left.status, left.disabled_by.as_deref()), (AccountStatus::Disabled, Some("hr")));
    // Back in service: the HR system re-enables what it disabled.
    let (_, page) = upload(&srv, &browser, &csv, false).await;
    assert_eq!((fact(&page, "Diaktifkan kembali"), fact(&page, "Pindah OPD")), (1, 1));

    // A file without the required columns is refused as a whole, clearly.
    let (status, page) = upload(&srv, &browser, "nip;nama\n198001012005011001;X\n", false).await;
    assert_eq!(status, 400);
    assert!(page.contains("Kolom wajib") && page.contains("opd"), "{page}");
}

/// The sequence number of the newest audit record.
async fn audit_rows(srv: &TestServer) -> i64 {
    let mut db = srv.store.conn().await.unwrap();
    gerbang_core::store::AuditStore::last_audit(&mut db).await.unwrap().map(|r| r.seq).unwrap_or(0)
}

async fn a_civil_servant_who_left_is_deprovisioned(backend: Backend) {
    let Some(w) = world(backend, |_| {}).await else { return };
    let srv = &w.srv;
    let browser = admin(srv).await;
    let staff = nip(5);
    let row = format!("nip,nama,opd,status,email\n{staff},Rahmat Hidayat,dishub,aktif,rahmat@contoh.go.id\n");
    let (_, page) = upload(srv, &browser, &row, false).await;
    assert_eq!(fact(&page, "Akun dibuat"), 1);

    // Activation: the code goes to the contact the HR system holds; the person sets a password.
    let person = srv.client();
    let sign_in = person.get(format!("{}/masuk", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(sign_in.contains("href=\"/aktivasi\""), "the sign-in page offers activation");
    let page = person.get(format!("{}/aktivasi", srv.url)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Aktivasi akun ASN") && page.contains("action=\"/lupa-sandi\""), "{page}");
    assert_eq!(reset(srv, &person, &staff, "email").await.status(), 303);
    let code = w.mail.inbox.nth_to("rahmat@contoh.go.id", 1).await.code();
    assert_eq!(new_password(srv, &person, &code, PW).await.status(), 200);

    // Signed in to an application that listens for back-channel logouts, with a refresh token.
    let receiver = LogoutReceiver::start().await;
    let mut client = confidential("rp-app", Some(receiver.url.clone()));
    client.scopes.push("offline_access".into());
    let (_, secret) = srv.clients.create(client, Actor("test")).await.unwrap();
    let secret = secret.unwrap();
    let start = "/authorize?response_type=code&client_id=rp-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A4321%2Fcallback&scope=openid%20offline_access&prompt=consent&state=s&nonce=n";
    let back = browse(srv, &person, start, (&staff, PW), "allow").await;
    let tokens: serde_json::Value = http()
        .post(format!("{}/token", srv.url))
        .basic_auth("rp-app", Some(&secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &param(&back, "code").unwrap()),
            ("redirect_uri", "http://127.0.0.1:4321/callback"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh = tokens["refresh_token"].as_str().expect("a refresh token").to_string();
    assert_eq!(person.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 200);

    // The HR system says they left.
    let gone = row.replace(",aktif,", ",keluar,");
    let (_, page) = upload(srv, &browser, &gone, false).await;
    assert_eq!(fact(&page, "Dinonaktifkan (keluar)"), 1);

    // At once: the session is gone, the refresh token is refused, and sign-in is refused.
    assert_eq!(person.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 303);
    let r = http()
        .post(format!("{}/token", srv.url))
        .basic_auth("rp-app", Some(&secret))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["error"], "invalid_grant");
    assert_ne!(srv.login(&srv.client(), &staff, PW).await.status(), 303, "a disabled account cannot sign in");

    // The application hears of it through a signed logout token for that session.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while receiver.tokens.lock().unwrap().is_empty() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let received = receiver.tokens.lock().unwrap().clone();
    assert_eq!(received.len(), 1, "one logout token for the one session");
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            received[0].split('.').nth(1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(claims["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object(), "{claims}");
    assert_eq!(claims["aud"], "rp-app");
    let owed = gerbang_core::store::LogoutOutbox::count_owed_logouts(&mut srv.store.conn().await.unwrap()).await;
    assert_eq!(owed.unwrap(), 0, "nothing left owed once delivered");
    let _ = &w.sms;
}
