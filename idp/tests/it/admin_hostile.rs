//! Hostile input against every admin page and API call: NUL bytes, huge values, markup, SQL,
//! unknown codes, wrong types, missing CSRF tokens. Each answer is a readable page (HTML) or OAuth2
//! style JSON with a 4xx status, never a server error; nothing is stored from a refused request.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::admin::{person, token_for};
use crate::oidc::http;
use crate::support::{Backend, TestServer, csrf_token};

crate::on_both_backends!(pages_and_api_answer_hostile_input_without_server_errors);

const ADMIN: &str = "198001012005011001";
const NOBODY: &str = "198506062010012006";

pub(crate) fn hostile() -> Vec<String> {
    vec![
        String::new(),
        "\0".into(),
        "a\0b".into(),
        "x".repeat(20_000),
        "<script>alert(1)</script>".into(),
        "'; DROP TABLE opds; --".into(),
        "../../etc/passwd".into(),
        "\u{202e}gnp.exe".into(),
        "💥".repeat(100),
        "2026-02-30".into(),
        "10.0.0.0/33".into(),
        "-1".into(),
        "on".into(),
    ]
}

/// Every field name the admin forms know.
const FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "status",
    "opd_id",
    "cidrs",
    "city",
    "funding",
    "funding_note",
    "city_copyright",
    "onboarding",
    "link",
    "checked",
    "item",
    "group",
    "steward_nip",
    "decree_ref",
    "decree_number",
    "decree_date",
    "reason",
    "approve",
    "redirect_uris",
    "backchannel_logout_uri",
    "application_id",
    "roles",
    "purpose_nik",
    "purpose_nip",
    "q",
    "after",
    "after_key",
    "from",
    "to",
];

const GET_PAGES: &[&str] = &[
    "/admin",
    "/admin/opd",
    "/admin/aplikasi",
    "/admin/domain",
    "/admin/jaringan",
    "/admin/kelompok-data",
    "/admin/akun",
    "/admin/klien",
    "/admin/audit",
    "/admin/audit.csv",
    "/admin/laporan",
    "/portal",
    "/portal/baru",
    "/wali-data",
];

/// Pages with an id in the path (`{}`), read and posted to.
const RECORD_PAGES: &[&str] = &[
    "/admin/opd/{}",
    "/admin/aplikasi/{}",
    "/admin/domain/{}",
    "/admin/jaringan/{}",
    "/admin/akun/{}",
    "/admin/klien/{}",
    "/portal/{}",
    "/admin/laporan/{}",
];

const POST_PAGES: &[&str] = &[
    "/admin/opd",
    "/admin/aplikasi",
    "/admin/domain",
    "/admin/jaringan",
    "/admin/kelompok-data",
    "/portal/baru",
    "/admin/opd/diskominfo",
    "/admin/aplikasi/e-office",
    "/admin/aplikasi/e-office/dokumen",
    "/admin/domain/padangpanjang.go.id",
    "/admin/akun/{self}",
    "/admin/klien/nothing",
    "/portal/nothing/rahasia",
    "/portal/nothing/uri",
    "/wali-data/nothing/nik",
];

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A page answer: not a server error, and a readable HTML page unless it is a redirect or a CSV.
async fn readable(r: reqwest::Response, what: &str) {
    let status = r.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    if status.is_redirection() {
        return;
    }
    let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = r.text().await.unwrap();
    if kind.starts_with("text/csv") {
        assert_eq!(status, StatusCode::OK, "{what}");
        return;
    }
    assert!(kind.starts_with("text/html"), "{what}: {status} {kind}: {body:.200}");
    assert!(body.contains("<h1"), "{what}: a page with a heading: {body:.300}");
    assert!(!body.contains("<script>alert(1)"), "{what}: markup escaped");
}

/// An API answer: not a server error, JSON with an `error` field when refused.
async fn json_error(r: reqwest::Response, what: &str) {
    let status = r.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let body = r.text().await.unwrap();
    if kind.starts_with("text/csv") {
        return;
    }
    let v: Value =
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{what}: JSON expected: {status} {body:.300}"));
    if !status.is_success() {
        assert!(v["error"].is_string(), "{what}: {v}");
    }
}

async fn pages_and_api_answer_hostile_input_without_server_errors(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    let (admin_id, _) = person(&srv, ADMIN, &["admin", "developer"]).await;
    person(&srv, NOBODY, &[]).await;
    let admin_token = token_for(&srv, ADMIN).await;
    let opds_before = count(&srv, "/opds", &admin_token).await;

    for (login, who) in [(ADMIN, "admin"), (NOBODY, "nobody")] {
        let browser = srv.client();
        let r = srv.login(&browser, login, crate::admin::PW).await;
        assert_eq!(r.status(), 303, "{who} signs in");
        let page = browser.get(format!("{}/admin/opd", srv.url)).send().await.unwrap();
        let html = page.text().await.unwrap();
        let csrf = if html.contains("name=\"csrf\"") {
            csrf_token(&html)
        } else {
            // The refusal page of a person without a role carries no form; the account page does.
            csrf_token(&browser.get(format!("{}/akun", srv.url)).send().await.unwrap().text().await.unwrap())
        };

        for value in hostile() {
            let v = enc(&value);
            // A URI holds 64 KiB at most: every field of a query gets a shorter cut of the value.
            let short = enc(&value.chars().take(1000).collect::<String>());
            for path in GET_PAGES {
                let query: Vec<String> = FIELDS.iter().map(|f| format!("{f}={short}")).collect();
                let url = format!("{}{path}?{}", srv.url, query.join("&"));
                readable(browser.get(&url).send().await.unwrap(), &format!("{who} GET {path} with {value:.20?}")).await;
            }
            for path in RECORD_PAGES {
                let url = format!("{}{}", srv.url, path.replace("{}", &v));
                readable(browser.get(&url).send().await.unwrap(), &format!("{who} GET {path} with {value:.20?}")).await;
            }
            for path in POST_PAGES {
                let path = path.replace("{self}", &admin_id);
                let mut form: Vec<(&str, String)> = FIELDS.iter().map(|f| (*f, value.clone())).collect();
                form.push(("csrf", csrf.clone()));
                let r = browser.post(format!("{}{path}", srv.url)).form(&form).send().await.unwrap();
                readable(r, &format!("{who} POST {path} with {value:.20?}")).await;
            }
        }
        // Without the CSRF token, and with a body that is not a form: refused, readably.
        for path in POST_PAGES {
            let path = path.replace("{self}", &admin_id);
            let r = browser.post(format!("{}{path}", srv.url)).form(&[("name", "x")]).send().await.unwrap();
            assert!(matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::BAD_REQUEST), "{path}: {}", r.status());
            readable(r, &format!("{who} POST {path} without CSRF")).await;
            let r = browser
                .post(format!("{}{path}", srv.url))
                .header("content-type", "application/json")
                .body("{\"name\":1}")
                .send()
                .await
                .unwrap();
            readable(r, &format!("{who} POST {path} as JSON")).await;
        }
    }

    // The API: every path, hostile strings in every field, and values of the wrong type.
    let api: &[(&str, &str)] = &[
        ("POST", "/opds"),
        ("PUT", "/opds/diskominfo"),
        ("POST", "/applications"),
        ("PUT", "/applications/e-office"),
        ("PUT", "/applications/e-office/docs/user_manual"),
        ("POST", "/domains"),
        ("PUT", "/domains/padangpanjang.go.id"),
        ("POST", "/networks"),
        ("PUT", "/networks/x"),
        ("DELETE", "/networks/x"),
        ("PUT", "/data-groups/kependudukan/steward"),
        ("PUT", "/accounts/{self}"),
        ("POST", "/registrations"),
        ("POST", "/registrations/x/decision"),
        ("POST", "/registrations/x/claims/nik/decision"),
        ("PUT", "/clients/x"),
        ("POST", "/clients/x/secret"),
    ];
    let gets = [
        "/opds",
        "/applications",
        "/domains",
        "/networks",
        "/data-groups",
        "/accounts",
        "/registrations",
        "/audit",
        "/audit.csv",
        "/reports",
        "/steward/queue",
    ];
    let mut bodies: Vec<Value> = hostile()
        .into_iter()
        .map(|v| Value::Object(FIELDS.iter().map(|f| (f.to_string(), json!(v))).collect()))
        .collect();
    for wrong in [json!(null), json!(1), json!(-1.5), json!([1, "a"]), json!({ "a": {} }), json!(true)] {
        bodies.push(Value::Object(FIELDS.iter().map(|f| (f.to_string(), wrong.clone())).collect()));
    }
    bodies.push(json!([]));
    bodies.push(json!("text"));
    let client = http();
    for (method, path) in api {
        let path = path.replace("{self}", &admin_id);
        for body in &bodies {
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let r = client
                .request(m, format!("{}/api/v1{path}", srv.url))
                .bearer_auth(&admin_token)
                .json(body)
                .send()
                .await
                .unwrap();
            json_error(r, &format!("{method} {path} with {:.60}", body.to_string())).await;
        }
    }
    for value in hostile() {
        let v = enc(&value);
        let short = enc(&value.chars().take(1000).collect::<String>());
        for path in gets {
            let query: Vec<String> =
                FIELDS.iter().chain(&["action", "actor", "target", "before"]).map(|f| format!("{f}={short}")).collect();
            let r = client
                .get(format!("{}/api/v1{path}?{}", srv.url, query.join("&")))
                .bearer_auth(&admin_token)
                .send()
                .await
                .unwrap();
            json_error(r, &format!("GET {path} with {value:.20?}")).await;
        }
        for path in [
            "/opds/{}",
            "/applications/{}",
            "/domains/{}",
            "/networks/{}",
            "/accounts/{}",
            "/registrations/{}",
            "/opd/{}/history",
            "/{}/x/history",
            "/reports/{}",
        ] {
            let r = client
                .get(format!("{}/api/v1{}", srv.url, path.replace("{}", &v)))
                .bearer_auth(&admin_token)
                .send()
                .await
                .unwrap();
            json_error(r, &format!("GET {path} with {value:.20?}")).await;
        }
    }
    // The protocol endpoints refuse a NUL character as OAuth2 error JSON, the pages as a page.
    for (path, form) in [
        ("/token", "grant_type=client_credentials&client_id=a%00b"),
        ("/introspect", "token=%00"),
        ("/revoke", "token=a%00"),
    ] {
        let r = client
            .post(format!("{}{path}", srv.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request", "{path}");
    }
    let r = client.get(format!("{}/userinfo?access_token=%00", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = client.get(format!("{}/authorize?client_id=%00&response_type=code", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    readable(r, "/authorize with NUL").await;

    // Nothing refused was stored.
    assert_eq!(count(&srv, "/opds", &admin_token).await, opds_before);
}

/// The number of records a list answers (following its pages).
async fn count(srv: &TestServer, path: &str, token: &str) -> usize {
    let (mut n, mut after) = (0, String::new());
    loop {
        let v: Value = http()
            .get(format!("{}/api/v1{path}?after={}", srv.url, enc(&after)))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = v["items"].as_array().unwrap();
        n += items.len();
        match v["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => return n,
        }
    }
}
