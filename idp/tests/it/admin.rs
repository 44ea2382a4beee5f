//! The admin and portal API over real HTTP: every register, the refusals each role must meet,
//! clear JSON errors for bad input, and the approval flow that releases `nik` to a client only
//! after its steward approved it.

use base64::Engine;
use gerbang_idp::accounts::{Actor, Identity, NewIdentity};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

use crate::oidc::{browse, confidential, http, param};
use crate::support::{Backend, TestServer};

crate::on_both_backends!(registers_roles_and_approvals);

pub(crate) const PW: &str = "kata-sandi-panjang";

/// An account with roles, and a bearer token with the `gerbang` scope for it.
pub(crate) async fn person(srv: &TestServer, nip: &str, roles: &[&str]) -> (String, String) {
    let new = NewIdentity {
        identity: Identity::parse(nip).unwrap(),
        name: format!("Pegawai {nip}"),
        password: Some(PW.into()),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    };
    let id = srv.accounts.create(new, Actor("test")).await.unwrap();
    (id, token_for(srv, nip).await)
}

pub(crate) async fn token_for(srv: &TestServer, login: &str) -> String {
    if srv.clients.get("konsol").await.unwrap().is_none() {
        let mut c = confidential("konsol", None);
        c.scopes = vec!["openid".into(), "gerbang".into()];
        c.approved_claims = vec![];
        c.skip_consent = true;
        let (_, secret) = srv.clients.create(c, Actor("test")).await.unwrap();
        std::fs::write(
            std::env::temp_dir().join(format!("konsol-{}", srv.url.replace([':', '/'], "_"))),
            secret.unwrap(),
        )
        .unwrap();
    }
    let secret =
        std::fs::read_to_string(std::env::temp_dir().join(format!("konsol-{}", srv.url.replace([':', '/'], "_"))))
            .unwrap();
    let verifier = "v".repeat(50);
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
    let start = format!(
        "/authorize?response_type=code&client_id=konsol&redirect_uri=http%3A%2F%2F127.0.0.1%3A4321%2Fcallback&scope=openid%20gerbang&state=s&code_challenge={challenge}&code_challenge_method=S256"
    );
    let done = browse(srv, &srv.client(), &start, (login, PW), "allow").await;
    let code = param(&done, "code").expect("code");
    let r = http()
        .post(format!("{}/token", srv.url))
        .basic_auth("konsol", Some(secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:4321/callback"),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["access_token"].as_str().unwrap().to_string()
}

struct Api<'a> {
    srv: &'a TestServer,
}

impl Api<'_> {
    async fn call(&self, method: reqwest::Method, token: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = http().request(method, format!("{}/api/v1{path}", self.srv.url)).bearer_auth(token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or_else(|_| panic!("{path}: JSON expected, got {text:?}")))
    }
    async fn get(&self, t: &str, p: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, t, p, None).await
    }
    async fn post(&self, t: &str, p: &str, b: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, t, p, Some(b)).await
    }
    async fn put(&self, t: &str, p: &str, b: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, t, p, Some(b)).await
    }
}

fn refused(r: &(StatusCode, Value), status: StatusCode, error: &str, field: Option<&str>) {
    assert_eq!(r.0, status, "{}", r.1);
    assert_eq!(r.1["error"], error, "{}", r.1);
    assert!(r.1["error_description"].as_str().is_some_and(|d| !d.is_empty()), "{}", r.1);
    if let Some(f) = field {
        assert_eq!(r.1["field"], f, "{}", r.1);
    }
}

async fn registers_roles_and_approvals(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    let api = Api { srv: &srv };
    let (_admin_id, admin) = person(&srv, "198001012005011001", &["admin"]).await;
    let (_, auditor) = person(&srv, "198102022006042002", &["auditor"]).await;
    let (dev_id, dev) = person(&srv, "198203032007011003", &["developer"]).await;
    let (_, steward) = person(&srv, "198304042008012004", &[]).await;
    let (_, other_steward) = person(&srv, "198405052009011005", &[]).await;
    let (_, nobody) = person(&srv, "198506062010012006", &[]).await;

    // No token, a bad token: 401 with the Bearer challenge.
    let r = http().get(format!("{}/api/v1/opds", srv.url)).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
    refused(&api.get("not-a-token", "/opds").await, StatusCode::UNAUTHORIZED, "invalid_token", None);

    // OPDs: seeded, searchable by name prefix, created and edited by the admin only.
    let (s, list) = api.get(&auditor, "/opds?q=dinas%20kom").await;
    assert_eq!(s, 200);
    assert_eq!(list["items"][0]["id"], "diskominfo", "{list}");
    refused(&api.get(&dev, "/opds").await, StatusCode::FORBIDDEN, "forbidden", None);
    refused(&api.get(&nobody, "/opds").await, StatusCode::FORBIDDEN, "forbidden", None);
    let new_opd = json!({ "id": "dinas-baru", "name": "Dinas Baru", "kind": "dinas" });
    refused(&api.post(&auditor, "/opds", new_opd.clone()).await, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, opd) = api.post(&admin, "/opds", new_opd.clone()).await;
    assert_eq!((s, opd["status"].as_str()), (StatusCode::CREATED, Some("active")), "{opd}");
    refused(&api.post(&admin, "/opds", new_opd).await, StatusCode::CONFLICT, "conflict", Some("id"));
    refused(
        &api.post(&admin, "/opds", json!({ "id": "x y", "name": "X", "kind": "dinas" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("id"),
    );
    refused(
        &api.post(&admin, "/opds", json!({ "id": "xy", "name": "X", "kind": "kantor" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("kind"),
    );
    let (s, _) = api
        .put(&admin, "/opds/dinas-baru", json!({ "name": "Dinas Baru Sekali", "kind": "dinas", "status": "active" }))
        .await;
    assert_eq!(s, 200);
    let (_, hist) = api.get(&auditor, "/opds/dinas-baru/history").await;
    assert_eq!(hist["items"].as_array().unwrap().len(), 2, "{hist}");
    assert_eq!(hist["items"][0]["detail"]["after"]["name"], "Dinas Baru Sekali");

    // Malformed bodies and unknown paths answer JSON, never plain text or a 500.
    let r = http()
        .post(format!("{}/api/v1/opds", srv.url))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_request");
    refused(&api.get(&admin, "/nothing-here").await, StatusCode::NOT_FOUND, "not_found", None);
    refused(&api.get(&admin, "/opds?after=%%%").await, StatusCode::BAD_REQUEST, "invalid_request", None);

    // Domains (Pasal 11).
    let domain = json!({ "name": "Dukcapil.PadangPanjang.go.id", "opd_id": "disdukcapil", "decree_number": "188.45/12/WAKO-PP/2026", "decree_date": "2026-02-03" });
    let (s, d) = api.post(&admin, "/domains", domain).await;
    assert_eq!((s, d["name"].as_str()), (StatusCode::CREATED, Some("dukcapil.padangpanjang.go.id")), "{d}");
    refused(
        &api.post(
            &admin,
            "/domains",
            json!({ "name": "not a domain", "decree_number": "1", "decree_date": "2026-01-01" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("name"),
    );
    refused(
        &api.post(
            &admin,
            "/domains",
            json!({ "name": "a.padangpanjang.go.id", "decree_number": "1", "decree_date": "2026-02-30" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("decree_date"),
    );

    // Networks (Pasal 5): overlaps refused, naming the other network.
    let (s, n) = api.post(&admin, "/networks", json!({ "id": "lan-kominfo", "name": "LAN Kominfo", "opd_id": "diskominfo", "cidrs": ["10.30.0.0/16"], "city": true })).await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let r = api
        .post(
            &admin,
            "/networks",
            json!({ "id": "lan-lain", "name": "Lain", "opd_id": "dinkes", "cidrs": "10.30.5.0/24" }),
        )
        .await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("cidrs"));
    assert!(r.1["error_description"].as_str().unwrap().contains("lan-kominfo"), "{}", r.1);
    refused(
        &api.post(
            &admin,
            "/networks",
            json!({ "id": "lan-x", "name": "X", "opd_id": "dinkes", "cidrs": ["10.31.0.1/16"] }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("cidrs"),
    );
    refused(
        &api.post(
            &admin,
            "/networks",
            json!({ "id": "lan-y", "name": "Y", "opd_id": "tidak-ada", "cidrs": ["10.32.0.0/16"] }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("opd_id"),
    );

    // Applications (Pasal 7-10) and the documentation checklist of Pasal 8(2).
    let app = json!({ "id": "si-dukcapil", "name": "SI Dukcapil", "kind": "khusus", "opd_id": "disdukcapil", "funding": "apbd", "city_copyright": true, "onboarding": "integrating" });
    let (s, a) = api.post(&admin, "/applications", app).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    refused(
        &api.post(
            &admin,
            "/applications",
            json!({ "id": "x1", "name": "X", "kind": "umum", "opd_id": "diskominfo", "funding": "lainnya" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("funding_note"),
    );
    let (s, docs) = api
        .put(
            &admin,
            "/applications/si-dukcapil/docs/user_manual",
            json!({ "link": "https://dukcapil.padangpanjang.go.id/manual.pdf", "checked": true }),
        )
        .await;
    assert_eq!(s, 200, "{docs}");
    assert_eq!(docs[0]["item"], "user_manual");
    assert!(docs[0]["checked_by"].is_string());
    refused(
        &api.put(&admin, "/applications/si-dukcapil/docs/brosur", json!({ "link": "https://x.padangpanjang.go.id/" }))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("item"),
    );

    // Nothing to change is refused, and only the administrator may try.
    refused(
        &api.put(&admin, "/applications/si-dukcapil/docs/user_manual", json!({})).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("link"),
    );
    refused(
        &api.put(&auditor, "/applications/si-dukcapil/docs/user_manual", json!({ "checked": true })).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );
    // Checking an item with nothing handed over is refused, and the link sent with it is not kept.
    refused(
        &api.put(&admin, "/applications/si-dukcapil/docs/metadata", json!({ "link": "ftp://x", "checked": true }))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("link"),
    );
    refused(
        &api.put(&admin, "/applications/si-dukcapil/docs/metadata", json!({ "checked": true })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("checked"),
    );

    // Stewards (Pasal 12(6)): an ASN, by NIP.
    let (s, g) = api
        .put(
            &admin,
            "/data-groups/kependudukan/steward",
            json!({ "steward_nip": "198304042008012004", "decree_ref": "Kepwako 100/2026" }),
        )
        .await;
    assert_eq!(s, 200, "{g}");
    let (s, _) = api
        .put(
            &admin,
            "/data-groups/kesehatan/steward",
            json!({ "steward_nip": "198405052009011005", "decree_ref": "Kepwako 101/2026" }),
        )
        .await;
    assert_eq!(s, 200);
    refused(
        &api.put(
            &admin,
            "/data-groups/kependudukan/steward",
            json!({ "steward_nip": "1374024107900001", "decree_ref": "x" }),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("steward_nip"),
    );
    refused(
        &api.put(
            &dev,
            "/data-groups/kependudukan/steward",
            json!({ "steward_nip": "198304042008012004", "decree_ref": "x" }),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );

    // Accounts: exact NIP or a name prefix; OPD and roles set by the admin.
    let (_, found) = api.get(&auditor, "/accounts?q=198203032007011003").await;
    assert_eq!(found["items"][0]["id"], dev_id.as_str());
    let (_, by_name) = api.get(&auditor, "/accounts?q=pegawai%201982").await;
    assert_eq!(by_name["items"].as_array().unwrap().len(), 1, "{by_name}");
    // A PUT replaces OPD and roles: leaving one out is refused, not read as "none".
    refused(
        &api.put(&admin, &format!("/accounts/{dev_id}"), json!({ "opd_id": "diskominfo" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        None,
    );
    let (s, acc) = api
        .put(&admin, &format!("/accounts/{dev_id}"), json!({ "opd_id": "diskominfo", "roles": ["developer"] }))
        .await;
    assert_eq!((s, acc["opd_id"].as_str()), (StatusCode::OK, Some("diskominfo")), "{acc}");

    // Portal: redirect URIs must be on a registered domain.
    let mut reg = json!({ "application_id": "si-dukcapil", "name": "SI Dukcapil web", "kind": "confidential",
        "redirect_uris": "https://evil.example/cb", "claims": [{ "claim": "nik", "purpose": "Mencocokkan data penduduk" }] });
    let r = api.post(&dev, "/registrations", reg.clone()).await;
    refused(&r, StatusCode::BAD_REQUEST, "invalid_request", Some("redirect_uris"));
    assert!(r.1["error_description"].as_str().unwrap().contains("Pasal 11"), "{}", r.1);
    // A list is taken as well as one URI per line.
    reg["redirect_uris"] = json!(["https://app.dukcapil.padangpanjang.go.id/callback"]);
    // The developer reads the applications register to pick one; asking for opd alone is
    // refused (it travels with nip).
    let (s, apps) = api.get(&dev, "/applications?q=si%20duk").await;
    assert_eq!((s, apps["items"][0]["id"].as_str()), (StatusCode::OK, Some("si-dukcapil")), "{apps}");
    let (s, one) = api.get(&dev, "/applications/si-dukcapil").await;
    assert_eq!(s, StatusCode::OK);
    assert!(one.get("docs").is_none(), "the checklist is for administrators and auditors: {one}");
    let mut opd_only = reg.clone();
    opd_only["claims"] = json!([{ "claim": "opd", "purpose": "Menampilkan unit kerja" }]);
    let r = api.post(&dev, "/registrations", opd_only).await;
    refused(&r, StatusCode::BAD_REQUEST, "invalid_request", Some("claims"));
    assert!(r.1["error_description"].as_str().unwrap().contains("nip"), "{}", r.1);
    refused(&api.post(&admin, "/registrations", reg.clone()).await, StatusCode::FORBIDDEN, "forbidden", None);
    let (s, created) = api.post(&dev, "/registrations", reg).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let rid = created["id"].as_str().unwrap().to_string();
    let client_id = created["client_id"].as_str().unwrap().to_string();
    assert_eq!(created["client_secret"].as_str().unwrap().len(), 43);
    assert_eq!(created["claims"][0]["data_group"], "kependudukan");
    let (_, again) = api.get(&dev, &format!("/registrations/{rid}")).await;
    assert!(again.get("client_secret").is_none(), "the secret is shown once");
    // Someone else's registration: not found (its existence is not revealed).
    refused(&api.get(&nobody, &format!("/registrations/{rid}")).await, StatusCode::NOT_FOUND, "not_found", None);

    // The admin decides with a reason; others may not.
    let approve = json!({ "approve": true, "reason": "Sesuai kebutuhan layanan" });
    refused(
        &api.post(&dev, &format!("/registrations/{rid}/decision"), approve.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );
    refused(
        &api.post(&auditor, &format!("/registrations/{rid}/decision"), approve.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );
    refused(
        &api.post(&admin, &format!("/registrations/{rid}/decision"), json!({ "approve": true })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("reason"),
    );
    refused(
        &api.post(&admin, &format!("/registrations/{rid}/decision"), json!({ "reason": "lupa keputusannya" })).await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        None,
    );
    let (s, approved) = api.post(&admin, &format!("/registrations/{rid}/decision"), approve.clone()).await;
    assert_eq!((s, approved["status"].as_str()), (StatusCode::OK, Some("approved")), "{approved}");
    refused(
        &api.post(&admin, &format!("/registrations/{rid}/decision"), approve.clone()).await,
        StatusCode::CONFLICT,
        "conflict",
        Some("status"),
    );
    let client = srv.clients.get(&client_id).await.unwrap().expect("client live");
    assert!(
        client.approved_claims.is_empty() && !client.scopes.contains(&"nik".to_string()),
        "no nik before the steward"
    );

    // Only the steward of kependudukan decides nik.
    let path = format!("/registrations/{rid}/claims/nik/decision");
    refused(&api.post(&other_steward, &path, approve.clone()).await, StatusCode::FORBIDDEN, "forbidden", None);
    refused(&api.post(&admin, &path, approve.clone()).await, StatusCode::FORBIDDEN, "forbidden", None);
    let (_, queue) = api.get(&steward, "/steward/queue").await;
    assert_eq!(queue["items"][0]["claim"], "nik", "{queue}");
    let (s, _) = api.post(&steward, &path, json!({ "approve": true, "reason": "Tujuan jelas dan sah" })).await;
    assert_eq!(s, 200);
    let client = srv.clients.get(&client_id).await.unwrap().unwrap();
    assert_eq!(client.approved_claims, ["nik"]);
    assert!(client.scopes.contains(&"nik".to_string()));

    // The developer rotates the secret of their live client; a narrowing URI change applies,
    // a widening one waits for approval.
    let (s, rotated) = api.post(&dev, &format!("/clients/{client_id}/secret"), json!({})).await;
    assert_eq!(s, 200);
    assert_ne!(rotated["client_secret"], created["client_secret"]);
    let (s, wide) = api.put(&dev, &format!("/clients/{client_id}"), json!({ "redirect_uris": ["https://app.dukcapil.padangpanjang.go.id/callback", "https://baru.dukcapil.padangpanjang.go.id/cb"] })).await;
    assert_eq!((s, wide["status"].as_str()), (StatusCode::ACCEPTED, Some("pending")), "{wide}");
    refused(
        &api.post(&nobody, &format!("/clients/{client_id}/secret"), json!({})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        None,
    );

    // Audit: the decisions are in the log, searchable and exportable; the chain is intact.
    let (_, found) = api.get(&auditor, "/audit?action=portal.").await;
    let actions: Vec<&str> = found["items"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"portal.registration.approve") && actions.contains(&"portal.claim.approve"),
        "{actions:?}"
    );
    refused(&api.get(&dev, "/audit").await, StatusCode::FORBIDDEN, "forbidden", None);
    let csv = http()
        .get(format!("{}/api/v1/audit.csv?action=register.", srv.url))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("seq,at_utc,actor,action") && csv.contains("register.network.create"), "{csv}");
    let (_, v) = api.get(&auditor, "/audit/verify").await;
    assert_eq!(v["intact"], true, "{v}");

    // Reports (Pasal 24).
    let (s, report) = api.get(&auditor, "/reports").await;
    assert_eq!(s, 200);
    let app = report["applications"].as_array().unwrap().iter().find(|a| a["application_id"] == "si-dukcapil").unwrap();
    assert_eq!((app["docs_checked"].as_i64(), app["docs_total"].as_i64()), (Some(1), Some(9)), "{app}");
    refused(
        &api.get(&auditor, "/reports?from=2026-02-30").await,
        StatusCode::BAD_REQUEST,
        "invalid_request",
        Some("from"),
    );
    refused(&api.get(&dev, "/reports").await, StatusCode::FORBIDDEN, "forbidden", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_register_respects_networks_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/levels.toml"), dir.path().join("levels.toml"))
        .unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../policies/networks.example.toml"),
        dir.path().join("networks.toml"),
    )
    .unwrap();
    let policies = dir.path().to_path_buf();
    let Some(srv) = TestServer::start_with(Backend::Sqlite, |c| c.policies_dir = policies).await else { return };
    let api = Api { srv: &srv };
    let (_, admin) = person(&srv, "198001012005011001", &["admin"]).await;
    let net = |id: &str, cidr: &str| json!({ "id": id, "name": "Jaringan", "opd_id": "diskominfo", "cidrs": [cidr] });

    // The file's ids and ranges are taken.
    refused(
        &api.post(&admin, "/networks", net("balai-kota", "10.99.0.0/16")).await,
        StatusCode::CONFLICT,
        "conflict",
        Some("id"),
    );
    let r = api.post(&admin, "/networks", net("lan-baru", "10.20.7.0/24")).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("cidrs"));
    assert!(r.1["error_description"].as_str().unwrap().contains("balai-kota"), "{}", r.1);
    let (s, _) = api.post(&admin, "/networks", net("lan-baru", "10.30.0.0/16")).await;
    assert_eq!(s, StatusCode::CREATED);

    // A broken file: nothing can be checked, so nothing is saved, and the answer says why.
    std::fs::write(dir.path().join("networks.toml"), "[[network]]\nid = \"x\"\ncidrs = [\"bukan-cidr\"]\n").unwrap();
    let r = api.post(&admin, "/networks", net("lan-lain", "10.40.0.0/16")).await;
    refused(&r, StatusCode::CONFLICT, "conflict", Some("cidrs"));
    assert!(r.1["error_description"].as_str().unwrap().contains("networks.toml"), "{}", r.1);
    let (_, list) = api.get(&admin, "/networks").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}
