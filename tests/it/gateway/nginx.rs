//! Forward-auth with real nginx (`auth_request`) in front of the upstream: the same allow,
//! sign-in and deny decisions as the gateway's own reverse proxy, for the same requests.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::stack::{HOST_A, Stack, open_signing_in};
use super::{NETWORKS, NIK, NIP, ROUTES};

const NGINX: &str = "/usr/sbin/nginx";

struct Nginx {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    /// nginx on a free loopback port, asking the gateway at `gateway` before proxying to `upstream`.
    async fn start(gateway: std::net::SocketAddr, upstream: std::net::SocketAddr) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let d = dir.path().display();
        let conf = format!(
            r#"daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 128; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  server {{
    listen 127.0.0.1:{port};
    # The gateway decides; only it may answer under /.gerbang/ (sign-in, callback, logout).
    location = /.gerbang-auth {{
      internal;
      proxy_pass http://{gateway}/.gerbang/auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      # nginx is the edge: the client's own X-Forwarded-For is not passed on.
      proxy_set_header X-Forwarded-For $remote_addr;
    }}
    location /.gerbang/ {{
      proxy_pass http://{gateway};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
    location / {{
      auth_request /.gerbang-auth;
      auth_request_set $gerbang_login $upstream_http_location;
      auth_request_set $gerbang_sub $upstream_http_x_gerbang_sub;
      auth_request_set $gerbang_nip $upstream_http_x_gerbang_nip;
      auth_request_set $gerbang_level $upstream_http_x_gerbang_level;
      auth_request_set $gerbang_assertion $upstream_http_x_gerbang_assertion;
      error_page 401 = @gerbang_login;
      proxy_set_header X-Gerbang-Sub $gerbang_sub;
      proxy_set_header X-Gerbang-Nip $gerbang_nip;
      proxy_set_header X-Gerbang-Level $gerbang_level;
      proxy_set_header X-Gerbang-Assertion $gerbang_assertion;
      proxy_pass http://{upstream};
    }}
    location @gerbang_login {{
      return 302 $gerbang_login;
    }}
  }}
}}
"#
        );
        let path = dir.path().join("nginx.conf");
        std::fs::write(&path, conf).unwrap();
        let child = Command::new(NGINX)
            .args(["-p", &d.to_string(), "-c", &path.display().to_string(), "-e", &format!("{d}/error.log")])
            .spawn()
            .expect("start nginx");
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Nginx { child, port, _dir: dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{HOST_A}:{}{path}", self.port)
    }
}

/// What a browser meets at `path`: "allow", "sign-in" or "deny".
async fn outcome(c: &reqwest::Client, url: &str) -> &'static str {
    let r = c.get(url).send().await.unwrap();
    match r.status().as_u16() {
        200 => "allow",
        302 | 303 => "sign-in",
        403 => "deny",
        other => panic!("{url}: unexpected {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_auth_request_makes_the_same_decisions() {
    const TEST: &str = "gerbang it::gateway::nginx::nginx_auth_request_makes_the_same_decisions";
    if !std::path::Path::new(NGINX).exists() {
        assert!(std::env::var_os("CI").is_none(), "{TEST}: CI must install nginx (Debian package nginx-light)");
        gerbang_core::testing::skip(TEST, "nginx is not installed");
        return;
    }
    // nginx connects from loopback: it is the trusted proxy in front of the gateway.
    let s = Stack::start(ROUTES, NETWORKS, |c| c.proxy.trusted_proxies = vec!["127.0.0.1".into()]).await;
    s.asn(NIP, "Dewi Lestari").await;
    s.warga(NIK, "Rina Marlina").await;
    let nginx = Nginx::start(s.gateway, s.upstream).await;
    let mut redirects = vec![
        format!("http://{HOST_A}:{}/.gerbang/callback", s.gateway.port()),
        format!("http://{HOST_A}:{}/.gerbang/callback", nginx.port),
    ];
    redirects.push(format!("http://{}:{}/.gerbang/callback", super::stack::HOST_B, s.gateway.port()));
    let backchannel = format!("http://{}/.gerbang/backchannel-logout", s.gateway);
    s.clients
        .set_uris("gerbang-gateway", &redirects, Some(&backchannel), gerbang_idp::accounts::Actor("test"))
        .await
        .unwrap();

    let client = |port: u16| {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .resolve(HOST_A, std::net::SocketAddr::from(([127, 0, 0, 1], port)))
            .build()
            .unwrap()
    };
    let paths = ["/kantor/a", "/kuat/b", "/warga/c", "/lan/d"];
    let mut seen = Vec::new();
    for (who, id) in [("nobody", None), ("asn", Some(NIP)), ("warga", Some(NIK))] {
        let (direct, front) = (client(s.gateway.port()), client(nginx.port));
        if let Some(id) = id {
            let (r, _) = open_signing_in(&direct, &s.url(HOST_A, "/warga/"), id).await;
            assert_eq!(r.status(), 200, "{who} signs in at the gateway");
            // Through nginx: 302 to /.gerbang/masuk, the IdP (single sign-on), callback via nginx.
            let r = front.get(nginx.url("/warga/")).send().await.unwrap();
            assert_eq!(r.status(), 302, "nginx turns the gateway's 401 into a redirect");
            let location = r.headers()["location"].to_str().unwrap().to_string();
            assert_eq!(location, nginx.url("/.gerbang/masuk?rd=%2Fwarga%2F"));
            let (r, at) = open_signing_in(&front, &location, id).await;
            assert_eq!((r.status().as_u16(), at), (200, nginx.url("/warga/")), "{who} back at the app through nginx");
        }
        for path in paths {
            let via_gateway = outcome(&direct, &s.url(HOST_A, path)).await;
            let via_nginx = outcome(&front, &nginx.url(path)).await;
            assert_eq!(via_nginx, via_gateway, "{who} at {path}");
            seen.push(via_nginx);
        }
        // Identity reaches the app through nginx, never a forged one.
        if who == "asn" {
            let r =
                front.get(nginx.url("/kantor/x")).header("X-Gerbang-Nip", "199001012020121001").send().await.unwrap();
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["headers"]["x-gerbang-nip"], NIP);
            assert_eq!(body["headers"]["x-gerbang-level"], "asn");
            assert!(body["headers"]["x-gerbang-assertion"].as_str().is_some_and(|a| a.split('.').count() == 3));
        }
        // A spoofed client address does not open the network-bound route.
        let r = front.get(nginx.url("/lan/d")).header("X-Forwarded-For", "10.20.1.1").send().await.unwrap();
        assert_eq!(r.status(), 403, "{who}");
    }
    for wanted in ["allow", "sign-in", "deny"] {
        assert!(seen.contains(&wanted), "the matrix covers {wanted}: {seen:?}");
    }
    drop(nginx);
}
