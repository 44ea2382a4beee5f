//! Keys: `private_key_jwt` client authentication, RS256 ID tokens for a client that asks for
//! them, and signing-key rotation with the old key kept in the JWKS.

use gerbang_core::store::now_unix;
use gerbang_idp::accounts::Actor;
use gerbang_idp::oidc::client::{AuthMethod, GrantType, NewClient};
use gerbang_idp::oidc::keys::{KeyRing, SigningAlg};
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, TokenResponse};
use serde_json::{Value, json};

use crate::oidc::{NIP, PW, browse, confidential, http, param};
use crate::support::{Backend, TestServer};

crate::on_both_backends!(private_key_jwt_authenticates_once_per_assertion, rs256_client_and_key_rotation);

async fn private_key_jwt_authenticates_once_per_assertion(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    use p256::pkcs8::EncodePrivateKey;
    let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
    let der = secret.to_pkcs8_der().unwrap();
    let signing = EncodingKey::from_ec_der(der.as_bytes());
    let mut jwk = Jwk::from_encoding_key(&signing, Algorithm::ES256).unwrap();
    jwk.common.key_id = Some("k1".into());
    let jwks = serde_json::to_string(&JwkSet { keys: vec![jwk] }).unwrap();
    let client = NewClient {
        auth_method: AuthMethod::PrivateKeyJwt,
        grant_types: vec![GrantType::ClientCredentials],
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        scopes: vec!["simpeg:read".into()],
        approved_claims: vec![],
        jwks: Some(jwks),
        ..confidential("jwt-client", None)
    };
    let (_, no_secret) = srv.clients.create(client, Actor("test")).await.unwrap();
    assert!(no_secret.is_none());
    let assertion = |jti: &str, aud: &str| {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some("k1".into());
        let claims = json!({ "iss": "jwt-client", "sub": "jwt-client", "aud": aud, "jti": jti, "exp": now_unix() + 60, "iat": now_unix() });
        jsonwebtoken::encode(&header, &claims, &signing).unwrap()
    };
    let http = http();
    let token_url = format!("{}/token", srv.url);
    let call = |jwt: String| {
        let (http, url) = (http.clone(), token_url.clone());
        async move {
            let r = http
                .post(url)
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", jwt.as_str()),
                ])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let jwt = assertion("a-1", &token_url);
    let (status, body) = call(jwt.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], "simpeg:read");
    assert_eq!(call(jwt).await.1["error"], "invalid_client", "an assertion is single-use");
    assert_eq!(
        call(assertion("a-2", "https://other.example/token")).await.1["error"],
        "invalid_client",
        "wrong audience"
    );
    assert_eq!(call(assertion("a-3", &srv.url)).await.0, 200, "the issuer is an accepted audience too");
    // Signed by another key.
    let other = p256::SecretKey::random(&mut rand::rngs::OsRng).to_pkcs8_der().unwrap();
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some("k1".into());
    let forged = jsonwebtoken::encode(
        &header,
        &json!({ "iss": "jwt-client", "sub": "jwt-client", "aud": token_url, "jti": "f", "exp": now_unix() + 60 }),
        &EncodingKey::from_ec_der(other.as_bytes()),
    )
    .unwrap();
    assert_eq!(call(forged).await.1["error"], "invalid_client");
}

async fn rs256_client_and_key_rotation(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else { return };
    srv.with_asn(NIP, "Siti", PW).await;
    let rs = NewClient { id_token_alg: SigningAlg::Rs256, ..confidential("rs-app", None) };
    let (_, secret) = srv.clients.create(rs, Actor("test")).await.unwrap();
    let http = http();
    let jwks_before: Value = http.get(format!("{}/jwks", srv.url)).send().await.unwrap().json().await.unwrap();
    assert_eq!(jwks_before["keys"].as_array().unwrap().len(), 2, "one ES256 and one RS256 key");

    let id_token_alg = |srv: &TestServer, secret: Option<String>| {
        let http = http.clone();
        let url = srv.url.clone();
        let browser = srv.client();
        async move {
            let meta = openidconnect::core::CoreProviderMetadata::discover_async(
                openidconnect::IssuerUrl::new(url.clone()).unwrap(),
                &http,
            )
            .await
            .unwrap();
            let rp = openidconnect::core::CoreClient::from_provider_metadata(
                meta,
                openidconnect::ClientId::new("rs-app".into()),
                secret.map(openidconnect::ClientSecret::new),
            )
            .set_redirect_uri(openidconnect::RedirectUrl::new(crate::oidc::CALLBACK.into()).unwrap());
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let (auth, _, nonce) = rp
                .authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
                .set_pkce_challenge(challenge)
                .url();
            (rp, auth.to_string(), verifier, nonce, browser)
        }
    };
    let (rp, auth, verifier, nonce, browser) = id_token_alg(&srv, secret.clone()).await;
    let back = browse(&srv, &browser, &auth, (NIP, PW), "allow").await;
    let token = rp
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id_token = token.id_token().unwrap();
    id_token.claims(&rp.id_token_verifier(), &nonce).expect("RS256 ID token verifies");
    let header = jsonwebtoken::decode_header(id_token.to_string()).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let old_kid = header.kid.unwrap();

    // Rotate (as `gerbang keys rotate` does from another process), then reload.
    let ring = KeyRing::open(srv.store.clone(), srv.state.keys.signing_key_sealer.clone()).await.unwrap();
    let new_kid = ring.rotate(SigningAlg::Rs256, 600).await.unwrap();
    srv.state.issuer.keys.reload().await.unwrap();
    let jwks: Value = http.get(format!("{}/jwks", srv.url)).send().await.unwrap().json().await.unwrap();
    let kids: Vec<&str> = jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
    assert!(kids.contains(&old_kid.as_str()) && kids.contains(&new_kid.as_str()), "old key kept while its tokens live");
    // New tokens are signed with the new key, and a client that fetched the JWKS earlier still
    // verifies the old token (the old key is still published).
    let (rp2, auth, verifier, nonce, _) = id_token_alg(&srv, secret).await;
    let back = browse(&srv, &browser, &auth, (NIP, PW), "allow").await;
    let token2 = rp2
        .exchange_code(AuthorizationCode::new(param(&back, "code").unwrap()))
        .unwrap()
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .unwrap();
    let id2 = token2.id_token().unwrap();
    assert_eq!(jsonwebtoken::decode_header(id2.to_string()).unwrap().kid.as_deref(), Some(new_kid.as_str()));
    id2.claims(&rp2.id_token_verifier(), &nonce).expect("verifies with the rotated key");
    id_token.claims(&rp2.id_token_verifier(), |_: Option<&Nonce>| Ok(())).expect("old token still verifies");
}
