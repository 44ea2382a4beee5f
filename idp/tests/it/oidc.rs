//! The OpenID Connect provider driven by a stock relying party (the `openidconnect` crate), a
//! cookie-keeping HTTP client standing in for the browser, on SQLite and PostgreSQL.

use gerbang_core::store::{AccountStatus, AuditStore};
use gerbang_idp::accounts::Actor;
use gerbang_idp::oidc::client::{AuthMethod, ClientKind, GrantType, NewClient};
use gerbang_idp::oidc::keys::SigningAlg;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, RedirectUrl, RequestTokenError, Scope, TokenIntrospectionResponse,
    TokenResponse,
};
use serde_json::Value;

use crate::support::{Backend, LogoutReceiver, TestServer};

crate::on_both_backends!(
    code_flow_with_pkce_id_token_userinfo_refresh_introspect_revoke,
    public_client_needs_pkce_and_gets_pairwise_subjects,
    reused_code_and_reused_refresh_token_revoke_the_family,
    client_credentials_and_token_exchange,
    rp_initiated_and_back_channel_logout,
);

pub(crate) const NIP: &str = "199003152015032002";
const NIK: &str = "1374024107900001";
pub(crate) const PW: &str = "kata-sandi-panjang";
pub(crate) const CALLBACK: &str = "http://127.0.0.1:4321/callback";

pub(crate) fn confidential(id: &str, backchannel: Option<String>) -> NewClient {
    NewClient {
        id: Some(id.into()),
        name: format!("Aplikasi {id}"),
        kind: ClientKind::Confidential,
        auth_method: AuthMethod::ClientSecretBasic,
        // Registered without a port: any loopback port matches (RFC 8252 §7.3).
        redirect_uris: vec!["http://127.0.0.1/callback".into()],
        post_logout_redirect_uris: vec!["http://127.0.0.1/bye".into()],
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken, GrantType::TokenExchange],
        scopes: ["openid", "profile", "nip", "nik", "roles", "offline_access"].iter().map(|s| s.to_string()).collect(),
        approved_claims: vec!["nik".into()],
        id_token_alg: SigningAlg::Es256,
        sector: None,
        jwks: None,
        backchannel_logout_uri: backchannel,
        skip_consent: false,
    }
}

/// A stock relying party configured from discovery.
macro_rules! relying_party {
    ($srv:expr, $http:expr, $id:expr, $secret:expr) => {{
        let meta = CoreProviderMetadata::discover_async(IssuerUrl::new($srv.url.clone()).unwrap(), $http)
            .await
            .expect("discovery");
        CoreClient::from_provider_metadata(meta, ClientId::new($id.to_string()), $secret.map(ClientSecret::new))
            .set_redirect_uri(RedirectUrl::new(CALLBACK.into()).unwrap())
    }};
}

pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Plays the browser from the authorization URL to the redirect back to the client: follows
/// redirects, fills the login form and answers the consent page. Returns the final URL.
pub(crate) async fn browse(
    srv: &TestServer,
    browser: &reqwest::Client,
    start: &str,
    login: (&str, &str),
    decision: &str,
) -> url::Url {
    let mut next = start.to_string();
    for _ in 0..12 {
        if next.starts_with("http://127.0.0.1:4321/") {
            return url::Url::parse(&next).unwrap();
        }
        let full = if next.starts_with('/') { format!("{}{next}", srv.url) } else { next.clone() };
        let r = browser.get(&full).send().await.unwrap();
        if r.status() == 303 {
            next = r.headers()["location"].to_str().unwrap().to_string();
            continue;
        }
        assert_eq!(r.status(), 200, "{full}");
        let html = r.text().await.unwrap();
        if full.contains("/masuk?return_to=%2Fauthorize") {
            assert!(html.contains("id=\"login-for\""), "the login page names the application: {html}");
        }
        let form: Vec<(&str, String)> = if full.contains("/masuk") {
            vec![
                ("csrf", field(&html, "csrf")),
                ("return_to", field(&html, "return_to")),
                ("identifier", login.0.into()),
                ("password", login.1.into()),
            ]
        } else if full.contains("/persetujuan") {
            vec![
                ("csrf", field(&html, "csrf")),
                ("req", field(&html, "req")),
                ("decision", decision.into()),
                ("remember", "1".into()),
            ]
        } else {
            panic!("unexpected page {full}: {html}");
        };
        let action = if full.contains("/masuk") { "/masuk" } else { "/persetujuan" };
        let r = browser.post(format!("{}{action}", srv.url)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), 303, "{action}: {}", r.text().await.unwrap());
        next = r.headers()["location"].to_str().unwrap().to_string();
    }
    panic!("too many steps");
}

/// The value of a hidden field, HTML-unescaped.
pub(crate) fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("field {name} in {html}")) + marker.len();
    let raw = html[start..].split('"').next().unwrap();
    raw.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub(crate) fn param(url: &url::Url, name: &str) -> Option<String> {
    url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

async fn oauth_error<T: std::fmt::Debug, RE: std::error::Error + 'static>(
    result: Result<T, RequestTokenError<RE, openidconnect::StandardErrorResponse<CoreErrorResponseType>>>,
) -> String {
    match result {
        Err(RequestTokenError::ServerResponse(e)) => e.error().as_ref().to_string(),
        other => panic!("expected an OAuth error response, got {other:?}"),
    }
}

async fn code_flow_with_pkce_id_token_userinfo_refresh_introspect_revoke(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti Rahmawati", PW).await;
    let (_, secret) = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap();
    let http = http();
    let rp = relying_party!(srv, &http, "rp-app", secret.clone());

    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state, nonce) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new("nip".into()))
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let browser = srv.client();
    let back = browse(&srv, &browser, auth_url.as_str(), ("19900315 201503 2 002", PW), "allow").await;
    assert_eq!(param(&back, "state").as_deref(), Some(state.secret().as_str()));
    assert_eq!(param(&back, "iss").as_deref(), Some(srv.url.as_str()), "RFC 9207 iss");
    let code = param(&back, "code").expect("code");

    let token = rp
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("code exchange");
    let id_token = token.id_token().expect("id token");
    let verifier = rp.id_token_verifier();
    let claims = id_token.claims(&verifier, &nonce).expect("ID token verifies, nonce included");
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("asn"), "acr of an ASN password sign-in");
    let auth_time = claims.auth_time().expect("auth_time");
    assert!((chrono_now() - auth_time.timestamp()).abs() < 60);
    let at_hash = claims.access_token_hash().expect("at_hash");
    let computed = AccessTokenHash::from_token(
        token.access_token(),
        id_token.signing_alg().unwrap(),
        id_token.signing_key(&verifier).unwrap(),
    )
    .unwrap();
    assert_eq!(at_hash, &computed);
    let sub = claims.subject().as_str().to_string();
    drop(verifier);

    // Userinfo through the library, then raw for the Gerbang claims.
    let info: CoreUserInfoClaims =
        rp.user_info(token.access_token().clone(), None).unwrap().request_async(&http).await.expect("userinfo");
    assert_eq!(info.subject().as_str(), sub);
    let raw: Value = http
        .get(format!("{}/userinfo", srv.url))
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(raw["nip"], NIP);
    assert_eq!(raw["jenis_pegawai"], "PNS");
    assert_eq!(raw["name"], "Siti Rahmawati");
    assert!(raw.get("nik").is_none());

    // Refresh rotates the refresh token.
    let rt1 = token.refresh_token().expect("refresh token with offline_access").clone();
    let refreshed = rp.exchange_refresh_token(&rt1).unwrap().request_async(&http).await.expect("refresh");
    let rt2 = refreshed.refresh_token().expect("rotated").clone();
    assert_ne!(rt1.secret(), rt2.secret());

    // Introspection sees the access token, then its revocation.
    // The oauth2 crate refuses a plain-http revocation URL, so revocation is a raw RFC 7009 call.
    let rp = rp.set_introspection_url(IntrospectionUrl::new(format!("{}/introspect", srv.url)).unwrap());
    let revoke = |token: String, hint: &'static str| {
        let (http, url, secret) = (http.clone(), format!("{}/revoke", srv.url), secret.clone());
        async move {
            let r = http
                .post(url)
                .basic_auth("rp-app", secret.as_deref())
                .form(&[("token", token.as_str()), ("token_type_hint", hint)])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    };
    let active = rp.introspect(refreshed.access_token()).request_async(&http).await.expect("introspect");
    assert!(active.active());
    assert_eq!(active.sub(), Some(sub.as_str()));
    revoke(refreshed.access_token().secret().clone(), "access_token").await;
    let after = rp.introspect(refreshed.access_token()).request_async(&http).await.unwrap();
    assert!(!after.active(), "revocation visible to introspection");
    let r =
        http.get(format!("{}/userinfo", srv.url)).bearer_auth(refreshed.access_token().secret()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));

    // Revoking the refresh token ends the family.
    revoke(rt2.secret().clone(), "refresh_token").await;
    revoke("unknown-token".into(), "refresh_token").await;
    let err = oauth_error(rp.exchange_refresh_token(&rt2).unwrap().request_async(&http).await).await;
    assert_eq!(err, "invalid_grant");
    let still = rp.introspect(token.access_token()).request_async(&http).await.unwrap();
    assert!(!still.active(), "tokens of a revoked family are inactive");

    // A second authorization in the same browser: SSO (no login form), remembered consent.
    let (auth_url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(PkceCodeChallenge::new_random_sha256().0)
        .url();
    let back = browse(&srv, &browser, auth_url.as_str(), ("unused", "unused"), "allow").await;
    assert!(param(&back, "code").is_some());
    let r = browser.get(auth_url.as_str().replace("scope=openid", "scope=openid+roles")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/persetujuan"), "new scope asks for consent again");
}

fn chrono_now() -> i64 {
    gerbang_core::store::now_unix()
}

async fn public_client_needs_pkce_and_gets_pairwise_subjects(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_warga(NIK, "Rina Marlina", PW).await;
    let public = |id: &str, sector: &str| NewClient {
        kind: ClientKind::Public,
        auth_method: AuthMethod::None,
        grant_types: vec![GrantType::AuthorizationCode],
        scopes: vec!["openid".into(), "profile".into()],
        approved_claims: vec![],
        sector: Some(sector.into()),
        ..confidential(id, None)
    };
    srv.clients.create(public("pub-a", "sektor-a"), Actor("test")).await.unwrap();
    srv.clients.create(public("pub-b", "sektor-b"), Actor("test")).await.unwrap();
    let http = http();
    let browser = srv.client();

    // Without PKCE: the error goes back to the (valid) redirect URI.
    let rp = relying_party!(srv, &http, "pub-a", None::<String>);
    let (no_pkce, _, _) =
        rp.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random).url();
    let r = browser.get(no_pkce.as_str()).send().await.unwrap();
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(param(&loc, "error").as_deref(), Some("invalid_request"));

    let mut subs = Vec::new();
    for id in ["pub-a", "pub-b"] {
        let rp = relying_party!(srv, &http, id, None::<String>);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, _, nonce) = rp
            .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
            .set_pkce_challenge(challenge)
            .url();
        let back = browse(&srv, &browser, url.as_str(), (NIK, PW), "allow").await;
        let code = AuthorizationCode::new(param(&back, "code").unwrap());
        // The wrong verifier is refused, and does not burn the right one's chance? It does: the
        // code is bound to its challenge and a failed exchange leaves it unused.
        let wrong = rp
            .exchange_code(code.clone())
            .unwrap()
            .set_pkce_verifier(PkceCodeChallenge::new_random_sha256().1)
            .request_async(&http)
            .await;
        assert_eq!(oauth_error(wrong).await, "invalid_grant");
        let token =
            rp.exchange_code(code).unwrap().set_pkce_verifier(verifier).request_async(&http).await.expect("exchange");
        let claims = token.id_token().unwrap().claims(&rp.id_token_verifier(), &nonce).unwrap();
        // Made by an administrator: a proven identity.
        assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("warga-terverifikasi"));
        subs.push(claims.subject().as_str().to_string());
    }
    assert_ne!(subs[0], subs[1], "pairwise subjects differ per sector");
    let account = srv.accounts.list("", 1).await.unwrap().remove(0);
    assert!(!subs.contains(&account.id), "the internal id is not the citizen's sub");
}

async fn reused_code_and_reused_refresh_token_revoke_the_family(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    let (_, secret) = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap();
    let http = http();
    let rp = relying_party!(srv, &http, "rp-app", secret.clone());
    let rp = rp.set_introspection_url(IntrospectionUrl::new(format!("{}/introspect", srv.url)).unwrap());
    let browser = srv.client();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = browse(&srv, &browser, url.as_str(), (NIP, PW), "allow").await;
    let code = param(&back, "code").unwrap();
    let verifier_secret = verifier.secret().clone();
    let token = rp
        .exchange_code(AuthorizationCode::new(code.clone()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();

    // Replay the code: refused, and what the first exchange issued is revoked.
    let replay = rp
        .exchange_code(AuthorizationCode::new(code))
        .unwrap()
        .set_pkce_verifier(openidconnect::PkceCodeVerifier::new(verifier_secret))
        .request_async(&http)
        .await;
    assert_eq!(oauth_error(replay).await, "invalid_grant");
    assert!(!rp.introspect(token.access_token()).request_async(&http).await.unwrap().active());
    let rt = token.refresh_token().unwrap();
    assert_eq!(oauth_error(rp.exchange_refresh_token(rt).unwrap().request_async(&http).await).await, "invalid_grant");

    // A fresh family: use a refresh token twice, the whole family goes.
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("offline_access".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = browse(&srv, &browser, url.as_str(), (NIP, PW), "allow").await;
    let token = rp
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let rt1 = token.refresh_token().unwrap().clone();
    let second = rp.exchange_refresh_token(&rt1).unwrap().request_async(&http).await.unwrap();
    let rt2 = second.refresh_token().unwrap().clone();
    assert_eq!(oauth_error(rp.exchange_refresh_token(&rt1).unwrap().request_async(&http).await).await, "invalid_grant");
    assert_eq!(
        oauth_error(rp.exchange_refresh_token(&rt2).unwrap().request_async(&http).await).await,
        "invalid_grant",
        "the newest token of a reused family is revoked too"
    );
    assert!(!rp.introspect(second.access_token()).request_async(&http).await.unwrap().active());

    // Wrong secret and unknown client: invalid_client, 401 with a Basic challenge.
    let r = http
        .post(format!("{}/token", srv.url))
        .basic_auth("rp-app", Some("salah"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", rt2.secret())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
}

async fn client_credentials_and_token_exchange(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    let machine = NewClient {
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::ClientCredentials],
        scopes: vec!["simpeg:read".into(), "simpeg:write".into()],
        approved_claims: vec![],
        ..confidential("mesin", None)
    };
    let (_, machine_secret) = srv.clients.create(machine, Actor("test")).await.unwrap();
    let (_, rp_secret) = srv.clients.create(confidential("rp-app", None), Actor("test")).await.unwrap();
    let gateway = NewClient {
        grant_types: vec![GrantType::TokenExchange],
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        scopes: vec!["openid".into(), "profile".into()],
        approved_claims: vec![],
        ..confidential("gerbang-gw", None)
    };
    let (_, gw_secret) = srv.clients.create(gateway, Actor("test")).await.unwrap();
    let http = http();

    let rp = relying_party!(srv, &http, "mesin", machine_secret.clone());
    let token = rp
        .exchange_client_credentials()
        .unwrap()
        .add_scope(Scope::new("simpeg:read".into()))
        .request_async(&http)
        .await
        .expect("client_credentials");
    assert_eq!(token.scopes().unwrap()[0].as_str(), "simpeg:read");
    // The issuance reaches the hash-chained audit log (in the writer's next batch).
    let mut audited = Vec::new();
    for _ in 0..50 {
        let mut db = srv.store.conn().await.unwrap();
        audited = db.audit_for_target("mesin", 10).await.unwrap();
        if audited.iter().any(|r| r.action == "token.client_credentials") {
            break;
        }
        drop(db);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(audited.iter().any(|r| r.action == "token.client_credentials" && r.detail.contains("simpeg:read")));
    let bad = rp
        .exchange_client_credentials()
        .unwrap()
        .add_scope(Scope::new("e-office:read".into()))
        .request_async(&http)
        .await;
    assert_eq!(oauth_error(bad).await, "invalid_scope");
    let person_scope =
        rp.exchange_client_credentials().unwrap().add_scope(Scope::new("nip".into())).request_async(&http).await;
    assert_eq!(oauth_error(person_scope).await, "invalid_scope");
    // The confidential RP is not registered for client_credentials.
    let rp2 = relying_party!(srv, &http, "rp-app", rp_secret.clone());
    assert_eq!(
        oauth_error(rp2.exchange_client_credentials().unwrap().request_async(&http).await).await,
        "unauthorized_client"
    );

    // Token exchange: the gateway trades the person's access token for its own.
    let browser = srv.client();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, _) = rp2
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let back = browse(&srv, &browser, url.as_str(), (NIP, PW), "allow").await;
    let person = rp2
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let exchanged: Value = http
        .post(format!("{}/token", srv.url))
        .basic_auth("gerbang-gw", gw_secret.as_deref())
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", person.access_token().secret().as_str()),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(exchanged["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token", "{exchanged}");
    assert_eq!(exchanged["scope"], "openid profile");
    let introspected: Value = http
        .post(format!("{}/introspect", srv.url))
        .basic_auth("rp-app", rp_secret.as_deref())
        .form(&[("token", exchanged["access_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspected["active"], true);
    assert_eq!(introspected["act"]["sub"], "gerbang-gw");
    assert_eq!(introspected["client_id"], "gerbang-gw");
    // A garbage subject token, and a client not allowed to exchange.
    let r = http
        .post(format!("{}/token", srv.url))
        .basic_auth("gerbang-gw", gw_secret.as_deref())
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
            ("subject_token", "abc.def.ghi"),
            ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_grant");
    let r = http
        .post(format!("{}/token", srv.url))
        .basic_auth("mesin", machine_secret.as_deref())
        .form(&[("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "unauthorized_client");
    // Disabling the person ends what was exchanged too.
    let account = srv.accounts.list("", 10).await.unwrap().into_iter().find(|a| a.identifier == NIP).unwrap();
    srv.accounts.set_status(&account.id, AccountStatus::Disabled, Actor("test")).await.unwrap();
    let r = http.get(format!("{}/userinfo", srv.url)).bearer_auth(person.access_token().secret()).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let introspected: Value = http
        .post(format!("{}/introspect", srv.url))
        .basic_auth("rp-app", rp_secret.as_deref())
        .form(&[("token", exchanged["access_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(introspected["active"], false, "a disabled person's tokens are inactive at once");
}

async fn rp_initiated_and_back_channel_logout(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    let receiver = LogoutReceiver::start().await;
    let (_, secret) =
        srv.clients.create(confidential("rp-app", Some(receiver.url.clone())), Actor("test")).await.unwrap();
    let http = http();
    let rp = relying_party!(srv, &http, "rp-app", secret);
    let rp = rp.set_introspection_url(IntrospectionUrl::new(format!("{}/introspect", srv.url)).unwrap());
    let browser = srv.client();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, _, nonce) = rp
        .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let back = browse(&srv, &browser, url.as_str(), (NIP, PW), "allow").await;
    let token = rp
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = token.id_token().unwrap();
    let claims = id_token.claims(&rp.id_token_verifier(), &nonce).unwrap();
    let sub = claims.subject().as_str().to_string();
    let sid: Value = serde_json::from_slice(
        &base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            id_token.to_string().split('.').nth(1).unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    let sid = sid["sid"].as_str().expect("sid in the ID token").to_string();

    // An unregistered post-logout URI is refused with a page.
    let bad = browser
        .get(format!("{}/logout?id_token_hint={}&post_logout_redirect_uri=https://evil.example/", srv.url, id_token))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    // Without proof of the session, the person is asked to confirm.
    let ask = browser.get(format!("{}/logout?client_id=rp-app", srv.url)).send().await.unwrap();
    assert_eq!(ask.status(), 200);
    assert!(ask.text().await.unwrap().contains("confirm-logout"));
    assert!(receiver.tokens.lock().unwrap().is_empty());

    // With the ID token of this session: signed out, sent back with the state.
    let r = browser
        .get(format!(
            "{}/logout?id_token_hint={}&post_logout_redirect_uri=http://127.0.0.1:4321/bye&state=xyz",
            srv.url, id_token
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "http://127.0.0.1:4321/bye?state=xyz");
    assert_eq!(browser.get(format!("{}/akun", srv.url)).send().await.unwrap().status(), 303, "session ended");
    assert!(!rp.introspect(token.access_token()).request_async(&http).await.unwrap().active(), "grants revoked");

    // The back-channel logout token: signed by us, for this client, this session, no nonce.
    let tokens = receiver.tokens.lock().unwrap().clone();
    assert_eq!(tokens.len(), 1);
    let jwks: Value = http.get(format!("{}/jwks", srv.url)).send().await.unwrap().json().await.unwrap();
    let header = jsonwebtoken::decode_header(&tokens[0]).unwrap();
    assert_eq!(header.typ.as_deref(), Some("logout+jwt"));
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(
        jwks["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header.kid.clone().unwrap()).unwrap().clone(),
    )
    .unwrap();
    let mut validation = jsonwebtoken::Validation::new(header.alg);
    validation.set_audience(&["rp-app"]);
    validation.set_issuer(&[&srv.url]);
    let logout: Value =
        jsonwebtoken::decode(&tokens[0], &jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap(), &validation)
            .unwrap()
            .claims;
    assert_eq!(logout["sub"], sub);
    assert_eq!(logout["sid"], sid);
    assert!(logout["events"]["http://schemas.openid.net/event/backchannel-logout"].is_object());
    assert!(logout.get("nonce").is_none());
}
