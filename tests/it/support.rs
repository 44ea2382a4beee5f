//! Running the real `gerbang` binary in a temporary data directory.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_gerbang");

/// A data directory and the environment the binary runs with.
pub struct Gerbang {
    pub dir: tempfile::TempDir,
    env: Vec<(String, String)>,
    /// Keeps a PostgreSQL schema alive for the test.
    _pg: Option<gerbang_core::testing::PgSchema>,
}

pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Gerbang {
    pub fn sqlite() -> Gerbang {
        Gerbang { dir: tempfile::tempdir().expect("temp dir"), env: vec![], _pg: None }
    }

    /// `None` (reported as skipped) without `TEST_DATABASE_URL`.
    pub async fn postgres(test: &str) -> Option<Gerbang> {
        let pg = gerbang_core::testing::PgSchema::create(test).await?;
        let key = gerbang_core::crypto::MasterKey::generate().to_base64().to_string();
        let env = vec![("DATABASE_URL".into(), pg.url.clone()), ("GERBANG_MASTER_KEY".into(), key)];
        Some(Gerbang { dir: tempfile::tempdir().expect("temp dir"), env, _pg: Some(pg) })
    }

    /// The PostgreSQL URL the binary is given, if any.
    pub fn database_url(&self) -> Option<String> {
        self.env.iter().find(|(k, _)| k == "DATABASE_URL").map(|(_, v)| v.clone())
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(self.dir.path()).args(args);
        // Run from the data directory so no gerbang.toml of the developer's is picked up.
        cmd.current_dir(self.dir.path());
        cmd.env("GERBANG_LOG", "trace");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None)
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn gerbang");
        {
            use std::io::Write;
            let mut pipe = child.stdin.take().expect("stdin");
            if let Some(text) = stdin {
                pipe.write_all(text.as_bytes()).expect("write stdin");
            }
        }
        let out: Output = child.wait_with_output().expect("wait gerbang");
        let run = Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "gerbang panicked: {}", run.stderr);
        run
    }

    /// The SQLite file and its WAL, as raw bytes.
    pub fn raw_database(&self) -> Vec<u8> {
        let db = self.dir.path().join("gerbang.db");
        let mut raw = std::fs::read(&db).expect("database file");
        raw.extend(std::fs::read(db.with_extension("db-wal")).unwrap_or_default());
        raw
    }
}

/// A running `gerbang demo`, killed when dropped.
pub struct Demo {
    pub child: Child,
    pub info: serde_json::Value,
    pub log: PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Demo {
    pub fn start(g: &Gerbang) -> Demo {
        Demo::start_at(g, "127.0.0.1:0")
    }

    /// With the IdP on `idp_listen`: started again on the same port, the issuer is the same, so
    /// tokens issued before the restart stay valid.
    pub fn start_at(g: &Gerbang, idp_listen: &str) -> Demo {
        let json = g.path().join("demo.json");
        let _ = std::fs::remove_file(&json);
        let log = g.path().join(format!("demo-{}.log", std::process::id()));
        let mut cmd = g.command(&["demo", "--idp-listen", idp_listen, "--proxy-listen", "127.0.0.1:0"]);
        cmd.stdout(std::fs::File::create(g.path().join("demo.out")).expect("stdout file"));
        cmd.stderr(std::fs::File::create(&log).expect("log file"));
        let child = cmd.spawn().expect("spawn demo");
        let mut demo = Demo { child, info: serde_json::Value::Null, log };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = demo.child.try_wait() {
                panic!("demo exited early ({status}): {}", std::fs::read_to_string(&demo.log).unwrap_or_default());
            }
            if let Ok(text) = std::fs::read_to_string(&json) {
                demo.info = serde_json::from_str(&text).expect("demo.json is complete JSON");
                return demo;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("demo.json did not appear within 60 s");
    }

    pub fn str(&self, key: &str) -> String {
        self.info[key].as_str().unwrap_or_else(|| panic!("demo.json lacks {key}")).to_string()
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

pub fn csrf_token(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("csrf field") + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().expect("csrf value").to_string()
}

/// Signs in through the login form; returns the status of the form post.
pub async fn sign_in(client: &reqwest::Client, idp: &str, identifier: &str, password: &str) -> u16 {
    let page = client.get(format!("{idp}/masuk")).send().await.expect("login page").text().await.expect("body");
    let token = csrf_token(&page);
    client
        .post(format!("{idp}/masuk"))
        .form(&[("csrf", token.as_str()), ("identifier", identifier), ("password", password)])
        .send()
        .await
        .expect("post login")
        .status()
        .as_u16()
}

/// A client_credentials token for the scope `simpeg:read`: (status, body).
pub async fn token(idp: &str, id: &str, secret: &str) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .post(format!("{idp}/token"))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "simpeg:read")])
        .send()
        .await
        .expect("token request");
    (r.status().as_u16(), r.json().await.unwrap_or(serde_json::Value::Null))
}

/// Adds the machine client `simpeg` (client_credentials, scope `simpeg:read`); its secret.
pub fn add_machine_client(g: &Gerbang) -> String {
    let machine = g.run(&[
        "client",
        "add",
        "--name",
        "SIMPEG",
        "--id",
        "simpeg",
        "--grant",
        "client_credentials",
        "--scope",
        "simpeg:read",
    ]);
    assert!(machine.ok, "{}", machine.stderr);
    machine
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("client_secret: "))
        .expect("client_secret line")
        .trim()
        .to_string()
}
