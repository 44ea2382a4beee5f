//! `gerbang demo`: everything a new user gets from the README's first command.

use crate::support::{Demo, Gerbang, client, sign_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_accounts_sign_in_and_apps_answer_through_the_gateway() {
    let g = Gerbang::sqlite();
    let demo = Demo::start(&g);
    let idp = demo.str("idp_url");
    let gateway = demo.str("gateway_url");
    assert_eq!(demo.str("issuer"), idp);
    let accounts = demo.info["accounts"].as_array().expect("accounts").clone();
    assert!(accounts.len() >= 5);
    assert!(accounts.iter().any(|a| { a["roles"].as_array().is_some_and(|r| r.iter().any(|x| x == "admin")) }));

    for a in &accounts {
        let identifier = a["nip"].as_str().or(a["nik"].as_str()).expect("nip or nik");
        let password = a["password"].as_str().expect("password");
        let c = client();
        assert_eq!(sign_in(&c, &idp, identifier, password).await, 303, "{identifier}");
        let page = c.get(format!("{idp}/akun")).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(a["name"].as_str().unwrap()), "{page}");
        if let Some(nik) = a["nik"].as_str() {
            assert!(!page.contains(nik) && page.contains(&format!("{}********{}", &nik[..4], &nik[12..])));
        }
        assert_eq!(sign_in(&client(), &idp, identifier, "salah-sekali-123").await, 401);
    }

    let apps = demo.info["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 7, "the seven common applications of Pasal 9");
    let c = client();
    for app in apps {
        let url = app["url"].as_str().unwrap();
        let r = c.get(url).header("X-Gerbang-Sub", "palsu").send().await.unwrap();
        if app["level"] == "publik" {
            assert_eq!(r.status(), 200, "{url}");
            let html = r.text().await.unwrap();
            assert!(html.contains(app["name"].as_str().unwrap()), "{html}");
            assert!(!html.contains("palsu"), "identity headers from the client are stripped");
        } else {
            assert_eq!(r.status(), 303, "{url}: sign in first");
            let to = r.headers()["location"].to_str().unwrap();
            assert!(to.starts_with(&format!("{idp}/authorize?")) && to.contains("acr_values="), "{to}");
        }
    }
    assert!(apps.iter().any(|a| a["level"] == "publik") && apps.iter().any(|a| a["level"] == "rahasia"));
    // The demo ASN signs in through the gateway and the app shows who arrived.
    let asn = accounts.iter().find(|a| a["label"] == "asn").expect("demo asn");
    let e_office = apps.iter().find(|a| a["slug"] == "e-office").unwrap()["url"].as_str().unwrap().to_string();
    let r = c.get(&e_office).send().await.unwrap();
    let authorize = r.headers()["location"].to_str().unwrap().to_string();
    let r = c.get(&authorize).send().await.unwrap();
    assert_eq!(r.status(), 303, "to the login form");
    let login_path = r.headers()["location"].to_str().unwrap().to_string();
    let login_url = reqwest::Url::parse(&format!("{idp}{login_path}")).unwrap();
    let return_to = login_url.query_pairs().find(|(k, _)| k == "return_to").map(|(_, v)| v.into_owned()).unwrap();
    let page = c.get(format!("{idp}{login_path}")).send().await.unwrap().text().await.unwrap();
    let token = crate::support::csrf_token(&page);
    let r = c
        .post(format!("{idp}/masuk"))
        .form(&[
            ("csrf", token.as_str()),
            ("return_to", return_to.as_str()),
            ("identifier", asn["nip"].as_str().unwrap()),
            ("password", asn["password"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let mut next = format!("{idp}{}", r.headers()["location"].to_str().unwrap());
    for _ in 0..6 {
        let r = c.get(&next).send().await.unwrap();
        if r.status() != 303 {
            assert_eq!(r.status(), 200, "{next}");
            let html = r.text().await.unwrap();
            assert!(html.contains(asn["name"].as_str().unwrap()) && html.contains("x-gerbang-nip"), "{html}");
            break;
        }
        let l = r.headers()["location"].to_str().unwrap();
        next = if l.starts_with('/') {
            format!("{}{l}", next.split('/').take(3).collect::<Vec<_>>().join("/"))
        } else {
            l.to_string()
        };
    }
    let r = c.get(format!("{gateway}/tidak-terdaftar/")).send().await.unwrap();
    assert_eq!(r.status(), 404, "unknown path is denied");
    // HTTP client libraries normalise dot-segments away, so these are sent as raw request lines.
    let addr = gateway.trim_start_matches("http://").replace("localhost", "127.0.0.1");
    for path in ["/e-office/../sipkd/", "/e-office/%2e%2e/sipkd/", "/e-office/..%5csipkd/"] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
        conn.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut answer = String::new();
        conn.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{path}: {}", answer.lines().next().unwrap_or(""));
    }
    let logs = std::fs::read_to_string(&demo.log).unwrap();
    for a in &accounts {
        if let Some(nik) = a["nik"].as_str() {
            assert!(!logs.contains(nik), "clear NIK in the demo's logs");
        }
    }
}

/// Restarting the demo on the same data keeps the accounts and prints passwords that work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_restart_keeps_data_and_renews_passwords() {
    let g = Gerbang::sqlite();
    let first = Demo::start(&g);
    let old: Vec<(String, String)> = pairs(&first.info);
    drop(first);
    let second = Demo::start(&g);
    let idp = second.str("idp_url");
    let new = pairs(&second.info);
    assert_eq!(old.len(), new.len());
    let (id, old_pw) = &old[0];
    let (_, new_pw) = new.iter().find(|(i, _)| i == id).unwrap();
    assert_ne!(old_pw, new_pw);
    assert_eq!(sign_in(&client(), &idp, id, old_pw).await, 401);
    assert_eq!(sign_in(&client(), &idp, id, new_pw).await, 303);
    let list = g.run(&["user", "list", "--json"]);
    assert_eq!(list.stdout.lines().count(), old.len(), "no duplicate accounts: {}", list.stdout);
}

fn pairs(info: &serde_json::Value) -> Vec<(String, String)> {
    info["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let id = a["nip"].as_str().or(a["nik"].as_str()).unwrap().to_string();
            (id, a["password"].as_str().unwrap().to_string())
        })
        .collect()
}

/// The demo's OIDC clients work with a stock client library as `demo.json` describes them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_clients_work_with_a_stock_oidc_client() {
    use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
    use openidconnect::{
        ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, Scope,
    };

    let g = Gerbang::sqlite();
    let demo = Demo::start(&g);
    let issuer = demo.str("issuer");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let clients = demo.info["clients"].as_array().expect("clients").clone();
    let by_id =
        |id: &str| clients.iter().find(|c| c["client_id"] == id).unwrap_or_else(|| panic!("{id} in demo.json")).clone();
    let meta =
        CoreProviderMetadata::discover_async(IssuerUrl::new(issuer.clone()).unwrap(), &http).await.expect("discovery");

    // Machine client: client_credentials.
    let service = by_id("demo-service");
    let rp = CoreClient::from_provider_metadata(
        meta.clone(),
        ClientId::new("demo-service".into()),
        Some(ClientSecret::new(service["client_secret"].as_str().unwrap().into())),
    );
    let token = rp
        .exchange_client_credentials()
        .unwrap()
        .add_scope(Scope::new("simpeg:read".into()))
        .request_async(&http)
        .await
        .expect("client_credentials with the demo secret");
    assert!(!token.access_token().secret().is_empty());

    // Relying party on a loopback redirect with an arbitrary port (RFC 8252 §7.3).
    let rp_info = by_id("demo-rp");
    assert!(rp_info["client_secret"].as_str().is_some_and(|s| s.len() >= 32));
    let rp = CoreClient::from_provider_metadata(meta, ClientId::new("demo-rp".into()), None)
        .set_redirect_uri(RedirectUrl::new("http://127.0.0.1:51999/callback".into()).unwrap());
    let (url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
        .url();
    let r = client().get(url.as_str()).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk?return_to="), "on to the login page");
}
