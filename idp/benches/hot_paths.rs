//! Micro-benchmarks of the token endpoint's per-request work: signing an ES256 access token and
//! authenticating a client by its secret (the cached client lookup and the constant-time check
//! of the secret's SHA-256). Run with `cargo bench -p gerbang-idp`; not run by CI.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gerbang_core::config::OidcConfig;
use gerbang_core::crypto::{Keys, MasterKey};
use gerbang_core::testing::TestDb;
use gerbang_idp::accounts::Actor;
use gerbang_idp::oidc::client::{AuthMethod, ClientKind, ClientService, GrantType, NewClient};
use gerbang_idp::oidc::keys::{KeyRing, SigningAlg};
use gerbang_idp::oidc::tokens::{AccessInput, Issuer};

fn hot_paths(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (store, _db) = rt.block_on(TestDb::sqlite());
    let keys = Keys::derive(&MasterKey::generate());
    let ring = rt.block_on(KeyRing::open(store.clone(), keys.signing_key_sealer.clone())).unwrap();
    let issuer = Issuer::new("https://sso.padangpanjang.go.id", ring, OidcConfig::default());
    let scope = vec!["simpeg:read".to_string()];
    c.bench_function("access token: ES256 JWT signed", |b| {
        b.iter(|| {
            issuer.access_token(AccessInput {
                sub: black_box("layanan-simpeg"),
                audience: "layanan-simpeg",
                client_id: "layanan-simpeg",
                scope: &scope,
                auth: None,
                grant_id: None,
                act: None,
            })
        })
    });

    let clients = ClientService::new(store.clone(), false);
    let new = NewClient {
        id: Some("layanan-simpeg".into()),
        name: "Layanan SIMPEG".into(),
        kind: ClientKind::Confidential,
        auth_method: AuthMethod::ClientSecretBasic,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        grant_types: vec![GrantType::ClientCredentials],
        scopes: scope.clone(),
        approved_claims: vec![],
        id_token_alg: SigningAlg::Es256,
        sector: None,
        jwks: None,
        backchannel_logout_uri: None,
        skip_consent: true,
    };
    let (_, secret) = rt.block_on(clients.create(new, Actor("bench"))).unwrap();
    let secret = secret.unwrap();
    c.bench_function("client authentication: cached lookup and secret check", |b| {
        b.iter(|| {
            let client = rt.block_on(clients.get(black_box("layanan-simpeg"))).unwrap().unwrap();
            assert!(client.secret_matches(black_box(&secret)));
        })
    });
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
