//! SCIM 2.0 over real HTTP (reqwest as the HR system's client): a machine client's token,
//! create, read, filter and page, PATCH (as Entra ID and Okta send it), deactivate (which
//! deprovisions at once), OPD groups, and the RFC's error responses for what is refused.

use gerbang_idp::accounts::{Actor, Identity};
use gerbang_idp::oidc::client::{GrantType, NewClient};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::oidc::{confidential, http};
use crate::support::{Backend, TestServer};

crate::on_both_backends!(scim_users_and_groups);

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

struct Scim<'a> {
    srv: &'a TestServer,
    token: String,
}

impl Scim<'_> {
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut r = http().request(method, format!("{}/scim/v2{path}", self.srv.url)).bearer_auth(&self.token);
        if let Some(b) = body {
            r = r.header("content-type", "application/scim+json").body(b.to_string());
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        if status != StatusCode::NO_CONTENT {
            assert_eq!(r.headers()["content-type"], "application/scim+json", "{status}");
        }
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

async fn machine_token(srv: &TestServer, id: &str, scope: &str) -> String {
    let machine = NewClient {
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::ClientCredentials],
        scopes: vec![scope.into()],
        approved_claims: vec![],
        ..confidential(id, None)
    };
    let (_, secret) = srv.clients.create(machine, Actor("test")).await.unwrap();
    let r: Value = http()
        .post(format!("{}/token", srv.url))
        .basic_auth(id, secret)
        .form(&[("grant_type", "client_credentials"), ("scope", scope)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().expect("a token").to_string()
}

fn new_user(nip: &str, name: &str, opd: &str) -> Value {
    json!({
        "schemas": [USER, ENTERPRISE],
        "userName": nip,
        "name": { "givenName": "ignored", "familyName": "when displayName is given" },
        "displayName": name,
        "active": true,
        "emails": [{ "value": "lain@contoh.go.id", "type": "home" }, { "value": format!("{nip}@contoh.go.id"), "type": "work", "primary": true }],
        "phoneNumbers": [{ "value": "0812-7777-0001", "type": "mobile" }],
        "externalId": "simpeg-42",
        "title": "Analis Kepegawaian",
        "addresses": [{ "locality": "Padang Panjang" }],
        ENTERPRISE: { "department": opd, "employeeNumber": nip },
    })
}

fn error_of(body: &Value) -> (String, String) {
    assert_eq!(body["schemas"][0], ERROR, "{body}");
    (body["status"].as_str().unwrap_or("").to_string(), body["scimType"].as_str().unwrap_or("").to_string())
}

async fn scim_users_and_groups(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    let scim = Scim { srv: &srv, token: machine_token(&srv, "simpeg", "scim:write").await };

    // Who may call: a machine token with scim:write; nothing else.
    let (status, body) = Scim { srv: &srv, token: "bukan-token".into() }.call(Method::GET, "/Users", None).await;
    assert_eq!((status, error_of(&body).0.as_str()), (StatusCode::UNAUTHORIZED, "401"));
    let other = Scim { srv: &srv, token: machine_token(&srv, "lain", "simpeg:read").await };
    assert_eq!(other.call(Method::GET, "/Users", None).await.0, StatusCode::FORBIDDEN);

    // Discovery.
    let (status, config) = scim.call(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (config["patch"]["supported"].as_bool(), config["filter"]["supported"].as_bool()),
        (Some(true), Some(true))
    );
    let (_, types) = scim.call(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types["totalResults"], 2);

    // Create: 201 with Location; the primary email is the one kept; the OPD is the department.
    let nips = ["198001012005011001", "198102022006022002", "198203032007031003", "197904042004042004"];
    let mut ids = Vec::new();
    for (i, nip) in nips.iter().enumerate() {
        let opd = if i < 3 { "dishub" } else { "dinkes" };
        let r = http()
            .post(format!("{}/scim/v2/Users", srv.url))
            .bearer_auth(&scim.token)
            .header("content-type", "application/scim+json")
            .body(new_user(nip, &format!("Pegawai Dishub {i}"), opd).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let user: Value = r.json().await.unwrap();
        assert_eq!(location, user["meta"]["location"]);
        assert_eq!((user["userName"].as_str(), user[ENTERPRISE]["department"].as_str()), (Some(*nip), Some(opd)));
        assert_eq!(user["emails"][0]["value"], format!("{nip}@contoh.go.id"));
        assert_eq!(user["phoneNumbers"][0]["value"], "+6281277770001");
        ids.push(user["id"].as_str().unwrap().to_string());
    }
    let (status, got) = scim.call(Method::GET, &format!("/Users/{}", ids[0]), None).await;
    assert_eq!((status, got["userName"].as_str()), (StatusCode::OK, Some(nips[0])), "{got}");
    let account = srv.accounts.find(&Identity::parse(nips[0]).unwrap()).await.unwrap().unwrap();
    assert_eq!((account.id.as_str(), account.opd_id.as_deref()), (ids[0].as_str(), Some("dishub")));
    // The same NIP twice is a uniqueness conflict; a bad NIP and an unknown OPD are invalidValue.
    let (status, body) = scim.call(Method::POST, "/Users", Some(new_user(nips[0], "Lagi", "dishub"))).await;
    assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::CONFLICT, "uniqueness"));
    let formatted = format!("{} {} {} {}", &nips[0][..8], &nips[0][8..14], &nips[0][14..15], &nips[0][15..]);
    let (status, body) = scim.call(Method::POST, "/Users", Some(new_user(&formatted, "Lagi", "dishub"))).await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (StatusCode::CONFLICT, "uniqueness"),
        "a spaced NIP is the same NIP"
    );
    let (status, body) = scim.call(Method::POST, "/Users", Some(new_user("19800101200501100", "X", "dishub"))).await;
    assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::BAD_REQUEST, "invalidValue"));
    assert!(body["detail"].as_str().unwrap().starts_with("NIP"), "{body}");
    let (status, body) =
        scim.call(Method::POST, "/Users", Some(new_user("198504052010011005", "X", "tidak-ada"))).await;
    assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::BAD_REQUEST, "invalidValue"));
    let (status, body) = scim.call(Method::POST, "/Users", Some(json!({ "userName": nips[0] }))).await;
    assert_eq!(
        (status, error_of(&body).1.as_str()),
        (StatusCode::BAD_REQUEST, "invalidSyntax"),
        "schemas are required"
    );

    // Filter and paging.
    let (_, list) = scim.call(Method::GET, &format!("/Users?filter=userName%20eq%20%22{}%22", nips[1]), None).await;
    assert_eq!((list["totalResults"].as_i64(), list["Resources"][0]["id"].as_str()), (Some(1), Some(ids[1].as_str())));
    let department = format!("{ENTERPRISE}:department eq \"dishub\"");
    let (_, list) =
        scim.call(Method::GET, &format!("/Users?filter={}&startIndex=2&count=1", enc(&department)), None).await;
    assert_eq!(
        (list["totalResults"].as_i64(), list["startIndex"].as_i64(), list["itemsPerPage"].as_i64()),
        (Some(3), Some(2), Some(1))
    );
    let mut dishub: Vec<&str> = ids[..3].iter().map(String::as_str).collect();
    dishub.sort();
    assert_eq!(list["Resources"][0]["id"], dishub[1], "pages are in a stable order");
    let (_, list) = scim
        .call(
            Method::GET,
            &format!("/Users?filter={}", enc("displayName sw \"pegawai dishub\" and active eq true")),
            None,
        )
        .await;
    assert_eq!(list["totalResults"], 4);
    for bad in ["userName eq \"x\" or active eq true", "title pr", "emails.value co \"x\"", "userName eq"] {
        let (status, body) = scim.call(Method::GET, &format!("/Users?filter={}", enc(bad)), None).await;
        assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::BAD_REQUEST, "invalidFilter"), "{bad}");
    }
    let (_, empty) = scim.call(Method::GET, "/Users?filter=userName%20eq%20%22199912312020121999%22", None).await;
    assert_eq!((empty["totalResults"].as_i64(), empty["Resources"].as_array().map(Vec::len)), (Some(0), Some(0)));

    // PATCH, the way Entra ID sends it (capitalised op, "False" as a string) and Okta (no path).
    let rename = json!({ "schemas": [PATCH], "Operations": [
        { "op": "Replace", "path": "displayName", "value": "Rahmat Hidayat, S.T." },
        { "op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "dinkes" },
        { "op": "add", "path": "emails[type eq \"work\"].value", "value": "rahmat@contoh.go.id" },
    ]});
    let (status, user) = scim.call(Method::PATCH, &format!("/Users/{}", ids[0]), Some(rename)).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        (user["displayName"].as_str(), user[ENTERPRISE]["department"].as_str()),
        (Some("Rahmat Hidayat, S.T."), Some("dinkes"))
    );
    assert_eq!(user["emails"][0]["value"], "rahmat@contoh.go.id");
    let (status, body) = scim
        .call(
            Method::PATCH,
            &format!("/Users/{}", ids[0]),
            Some(json!({ "schemas": [PATCH],
        "Operations": [{ "op": "replace", "path": "userName", "value": "198001012005011099" }] })),
        )
        .await;
    assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::BAD_REQUEST, "mutability"));
    let renamed = json!({ "schemas": [PATCH], "Operations": [{ "op": "replace", "path": "name",
        "value": { "givenName": "Rahmat", "familyName": "Hidayat" } }] });
    let (_, user) = scim.call(Method::PATCH, &format!("/Users/{}", ids[0]), Some(renamed)).await;
    assert_eq!(user["displayName"], "Rahmat Hidayat");
    let (status, body) = scim
        .call(
            Method::PATCH,
            &format!("/Users/{}", ids[0]),
            Some(json!({ "schemas": [PATCH],
        "Operations": [{ "op": "replace", "path": "nickName", "value": "x" }] })),
        )
        .await;
    assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::BAD_REQUEST, "invalidPath"));

    // Deactivate: the account is disabled at once and its session ends.
    let browser = srv.client();
    srv.accounts.set_password(&ids[1], "kata-sandi-panjang", Actor("test")).await.unwrap();
    assert_eq!(srv.login(&browser, nips[1], "kata-sandi-panjang").await.status(), 303);
    let off = json!({ "schemas": [PATCH], "Operations": [{ "op": "Replace", "path": "active", "value": "False" }] });
    let (status, user) = scim.call(Method::PATCH, &format!("/Users/{}", ids[1]), Some(off)).await;
    assert_eq!((status, user["active"].as_bool()), (StatusCode::OK, Some(false)));
    assert_eq!(browser.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 303, "the session ended");
    let account = srv.accounts.by_id(&ids[1]).await.unwrap().unwrap();
    assert_eq!(account.disabled_by.as_deref(), Some("hr"));
    let (_, list) = scim.call(Method::GET, "/Users?filter=active%20eq%20false", None).await;
    assert_eq!((list["totalResults"].as_i64(), list["Resources"][0]["id"].as_str()), (Some(1), Some(ids[1].as_str())));
    let on = json!({ "schemas": [PATCH], "Operations": [{ "op": "replace", "value": { "active": true } }] });
    let (_, user) = scim.call(Method::PATCH, &format!("/Users/{}", ids[1]), Some(on)).await;
    assert_eq!(user["active"], true, "the HR system re-enables what it disabled");
    // PUT replaces; DELETE is not offered (accounts are deprovisioned, never deleted).
    let mut replaced = new_user(nips[2], "Nama Baru", "dishub");
    replaced["active"] = json!(false);
    let (status, user) = scim.call(Method::PUT, &format!("/Users/{}", ids[2]), Some(replaced)).await;
    assert_eq!(
        (status, user["displayName"].as_str(), user["active"].as_bool()),
        (StatusCode::OK, Some("Nama Baru"), Some(false))
    );
    let (status, body) = scim.call(Method::DELETE, &format!("/Users/{}", ids[2]), None).await;
    assert_eq!((status, error_of(&body).0.as_str()), (StatusCode::NOT_IMPLEMENTED, "501"));
    let (status, _) = scim.call(Method::GET, "/Users/tidak-ada", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A citizen is never a SCIM user.
    let citizen = srv.with_warga("1374024107900001", "Rina", "kata-sandi-panjang").await;
    assert_eq!(scim.call(Method::GET, &format!("/Users/{citizen}"), None).await.0, StatusCode::NOT_FOUND);

    // Groups are the OPDs; adding a member moves them there.
    let (_, groups) = scim.call(Method::GET, "/Groups?filter=displayName%20eq%20%22Dinas%20Kesehatan%22", None).await;
    assert_eq!((groups["totalResults"].as_i64(), groups["Resources"][0]["id"].as_str()), (Some(1), Some("dinkes")));
    let members: Vec<&str> =
        groups["Resources"][0]["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members.len(), 2);
    assert!(members.contains(&ids[0].as_str()) && members.contains(&ids[3].as_str()));
    let (status, g) = scim.call(Method::GET, "/Groups/dinkes", None).await;
    assert_eq!(status, 200, "{g}");
    let add = json!({ "schemas": [PATCH], "Operations": [{ "op": "add", "path": "members", "value": [{ "value": ids[2] }] }] });
    let (status, group) = scim.call(Method::PATCH, "/Groups/dinkes", Some(add)).await;
    assert_eq!((status, group["members"].as_array().map(Vec::len)), (StatusCode::OK, Some(3)), "{group}");
    let (_, user) = scim.call(Method::GET, &format!("/Users/{}", ids[2]), None).await;
    assert_eq!(user[ENTERPRISE]["department"], "dinkes");
    let remove = json!({ "schemas": [PATCH], "Operations": [{ "op": "remove", "path": format!("members[value eq \"{}\"]", ids[3]) }] });
    let (_, group) = scim.call(Method::PATCH, "/Groups/dinkes", Some(remove)).await;
    assert_eq!(group["members"].as_array().map(Vec::len), Some(2));
    // Entra ID's form of removing one member: the members path with the member as value.
    let remove = json!({ "schemas": [PATCH], "Operations": [{ "op": "Remove", "path": "members", "value": [{ "value": ids[2] }] }] });
    let (_, group) = scim.call(Method::PATCH, "/Groups/dinkes", Some(remove)).await;
    let left: Vec<&str> = group["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(left, [ids[0].as_str()], "only the member named was removed");
    let stranger = json!({ "schemas": [PATCH], "Operations": [{ "op": "add", "path": "members", "value": [{ "value": citizen }] }] });
    let (status, body) = scim.call(Method::PATCH, "/Groups/dinkes", Some(stranger)).await;
    assert_eq!((status, error_of(&body).1.as_str()), (StatusCode::BAD_REQUEST, "invalidValue"));
    let (_, lean) = scim.call(Method::GET, "/Groups/dinkes?excludedAttributes=members", None).await;
    assert!(lean.get("members").is_none() && lean["displayName"] == "Dinas Kesehatan");
    assert_eq!(
        scim.call(Method::POST, "/Groups", Some(json!({ "displayName": "Baru" }))).await.0,
        StatusCode::NOT_IMPLEMENTED
    );

    // Bad bodies get SCIM errors, never a server error.
    for (method, path, body) in [
        (Method::POST, "/Users", "{"),
        (Method::POST, "/Users", "[]"),
        (Method::PATCH, "/Users/x", "{\"Operations\":[]}"),
        (Method::PUT, "/Users/x", "\u{0}"),
    ] {
        let r = http()
            .request(method.clone(), format!("{}/scim/v2{path}", srv.url))
            .bearer_auth(&scim.token)
            .header("content-type", "application/scim+json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{method} {path} {body:?}: {}", r.status());
    }
    // Every change is in the audit log, under the machine client.
    let mut db = srv.store.conn().await.unwrap();
    let trail = gerbang_core::store::AuditStore::audit_for_target(&mut db, &ids[0], 20).await.unwrap();
    assert!(trail.iter().any(|r| r.action == "account.create" && r.actor == "simpeg"));
    assert!(
        trail.iter().any(|r| r.action == "account.hr_update" && r.actor == "simpeg" && r.detail.contains("dinkes"))
    );
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
