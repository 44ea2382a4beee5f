//! Micro-benchmarks of the gateway's per-request work: opening the sealed session cookie and
//! finding the route of a host and path. Run with `cargo bench -p gerbang-proxy`; not run by CI.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gerbang_core::crypto::Sealer;
use gerbang_core::policy::{Levels, Networks, Routes};
use gerbang_core::store::now_unix;
use gerbang_proxy::session::{CookieJar, GatewaySession};
use http::{HeaderMap, HeaderValue, header};

const HOST: &str = "e-office.padangpanjang.go.id";

fn session_cookie(c: &mut Criterion) {
    let jar = CookieJar::new(Sealer::new(&[7u8; 32]));
    let now = now_unix();
    let session = GatewaySession {
        id: "9f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f".into(),
        sub: "a-3b1f0c9e".into(),
        name: Some("Siti Rahmawati".into()),
        nip: Some("199003152015032002".into()),
        roles: vec!["developer".into()],
        opd: Some("diskominfo".into()),
        acr: Some("asn".into()),
        amr: vec!["pwd".into()],
        identity_assurance: None,
        auth_time: now,
        sid: Some("s-1".into()),
        iat: now,
        exp: now + 8 * 3600,
    };
    let set = jar.set_session(&session, HOST, true, now);
    let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(&format!("other=1; {pair}")).unwrap());
    assert!(jar.session(&headers, HOST, true, now).is_some(), "the cookie opens");
    c.bench_function("gateway session cookie: open and check", |b| {
        b.iter(|| jar.session(black_box(&headers), black_box(HOST), true, now))
    });
}

fn route_match(c: &mut Criterion) {
    let levels = Levels::parse(include_str!("../../policies/levels.toml"), "levels.toml").unwrap();
    let networks = Networks::default();
    // 50 hosts with 4 routes each: a city's worth of applications.
    let mut text = String::new();
    for h in 0..50 {
        for (i, path) in ["/", "/api/", "/admin/", "/api/v2/"].iter().enumerate() {
            text.push_str(&format!(
                "[[route]]\nid = \"r{h}-{i}\"\nhost = \"app-{h}.padangpanjang.go.id\"\npath = \"{path}\"\nupstream = \"http://10.0.{h}.1:8080/\"\nlevel = \"asn\"\n\n"
            ));
        }
    }
    let routes = Routes::parse(&text, "routes.toml", &levels, &networks).unwrap();
    assert_eq!(routes.find("app-37.padangpanjang.go.id", "/api/v2/x").map(|r| r.id.as_str()), Some("r37-3"));
    c.bench_function("route match among 200 routes", |b| {
        b.iter(|| routes.find(black_box("app-37.padangpanjang.go.id"), black_box("/api/v2/dokumen/17")))
    });
}

criterion_group!(benches, session_cookie, route_match);
criterion_main!(benches);
