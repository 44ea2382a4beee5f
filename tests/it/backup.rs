//! `gerbang backup` and `gerbang restore` as an operator runs them: a backup of a running system
//! under sign-in load, restored into an empty data directory, where the same accounts, clients
//! and signing keys work; a flipped byte, a foreign master key and a non-empty target refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use serde_json::Value;

use crate::support::{Demo, Gerbang, add_machine_client, client, sign_in, token};

const NIP: &str = "197502022000031002";
const PW: &str = "kata-sandi-cadangan";

fn kids(jwks: &Value) -> Vec<String> {
    let mut k: Vec<String> =
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_into_an_empty_directory() {
    let g = Gerbang::sqlite();
    let demo = Demo::start(&g);
    let idp = demo.str("idp_url");
    let add =
        g.run_with_stdin(&["user", "add", "--nip", NIP, "--name", "Pegawai Cadangan", "--password-stdin"], Some(PW));
    assert!(add.ok, "{}", add.stderr);
    let secret = add_machine_client(&g);
    assert_eq!(token(&idp, "simpeg", &secret).await.0, 200);
    let jwks_before: Value = reqwest::get(format!("{idp}/jwks")).await.unwrap().json().await.unwrap();

    // Sign-ins keep coming while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let load = {
        let (stop, done, idp) = (stop.clone(), done.clone(), idp.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if sign_in(&client(), &idp, NIP, PW).await == 303 {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    while done.load(Ordering::Relaxed) < 3 {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let out = g.path().join("cadangan");
    std::fs::create_dir(&out).unwrap();
    let backup = g.run(&["backup", "--to", out.to_str().unwrap()]);
    assert!(backup.ok, "{}", backup.stderr);
    assert!(backup.stderr.contains("Dicadangkan"), "progress is shown: {}", backup.stderr);
    stop.store(true, Ordering::Relaxed);
    load.await.unwrap();
    assert!(done.load(Ordering::Relaxed) >= 3);
    let file = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "gbk"))
        .expect("a .gbk file");
    assert!(backup.stdout.contains("SHA-256"), "{}", backup.stdout);
    // The backup holds no clear data: the NIP is not in it.
    assert!(!std::fs::read(&file).unwrap().windows(NIP.len()).any(|w| w == NIP.as_bytes()));
    drop(demo);

    let check = g.run(&["restore", file.to_str().unwrap(), "--check"]);
    assert!(check.ok && check.stdout.contains("Cadangan utuh"), "{} {}", check.stdout, check.stderr);

    // A flipped byte is found, and nothing is restored from it.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() * 2 / 3;
    bytes[at] ^= 0x20;
    let bad = g.path().join("rusak.gbk");
    std::fs::write(&bad, &bytes).unwrap();
    let fresh = Gerbang::sqlite();
    std::fs::copy(g.path().join("master.key"), fresh.path().join("master.key")).unwrap();
    let r = fresh.run(&["restore", bad.to_str().unwrap()]);
    assert!(!r.ok && r.stderr.contains("cadangan rusak atau telah diubah"), "{}", r.stderr);
    assert!(!fresh.path().join("gerbang.db").exists(), "nothing written from a corrupt backup");

    // Another master key: named as such. No master key at all: asked for, never made up.
    let foreign = Gerbang::sqlite();
    std::fs::write(
        foreign.path().join("master.key"),
        gerbang_core::crypto::MasterKey::generate().to_base64().as_bytes(),
    )
    .unwrap();
    let r = foreign.run(&["--lang", "en", "restore", file.to_str().unwrap()]);
    assert!(!r.ok && r.stderr.contains("another master key"), "{}", r.stderr);
    let keyless = Gerbang::sqlite();
    let r = keyless.run(&["restore", file.to_str().unwrap()]);
    assert!(!r.ok && r.stderr.contains("master key belum diberikan"), "{}", r.stderr);
    assert!(!keyless.path().join("master.key").exists());

    // The good backup into the empty directory; a second restore there is refused.
    let r = fresh.run(&["restore", file.to_str().unwrap()]);
    assert!(r.ok, "{}", r.stderr);
    let again = fresh.run(&["restore", file.to_str().unwrap()]);
    assert!(!again.ok && again.stderr.contains("tidak kosong"), "{}", again.stderr);

    // The restored system: the same account signs in, the same client gets tokens, the same
    // signing keys are published.
    let restored = Demo::start(&fresh);
    let idp = restored.str("idp_url");
    assert_eq!(sign_in(&client(), &idp, NIP, PW).await, 303);
    assert_eq!(sign_in(&client(), &idp, NIP, "bukan-sandinya-123").await, 401);
    let (status, tokens) = token(&idp, "simpeg", &secret).await;
    assert_eq!(status, 200, "{tokens}");
    let jwks_after: Value = reqwest::get(format!("{idp}/jwks")).await.unwrap().json().await.unwrap();
    assert!(kids(&jwks_before).iter().all(|k| kids(&jwks_after).contains(k)), "{jwks_before} {jwks_after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_backup_restores_after_the_data_is_lost() {
    let Some(g) = Gerbang::postgres(concat!(env!("CARGO_PKG_NAME"), " ", module_path!(), "::a_postgres_backup")).await
    else {
        return;
    };
    let add =
        g.run_with_stdin(&["user", "add", "--nip", NIP, "--name", "Pegawai Cadangan", "--password-stdin"], Some(PW));
    assert!(add.ok, "{}", add.stderr);
    let out = g.path().join("cadangan.gbk");
    let backup = g.run(&["backup", "--to", out.to_str().unwrap()]);
    assert!(backup.ok, "{}", backup.stderr);
    let check = g.run(&["restore", out.to_str().unwrap(), "--check"]);
    assert!(check.ok && check.stdout.contains("postgres"), "{}", check.stdout);
    let twice = g.run(&["backup", "--to", out.to_str().unwrap()]);
    assert!(!twice.ok && twice.stderr.contains("sudah ada"), "an existing backup is never replaced: {}", twice.stderr);
    let into_full = g.run(&["restore", out.to_str().unwrap()]);
    assert!(!into_full.ok && into_full.stderr.contains("tidak kosong"), "{}", into_full.stderr);

    // The data is lost: every table of the schema dropped.
    let url = g.database_url().unwrap();
    let schema = url.split("search_path%3D").nth(1).unwrap().split('&').next().unwrap().to_string();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE")).execute(&pool).await.unwrap();
    pool.close().await;
    assert!(!g.run(&["user", "list"]).stdout.contains(NIP));

    let r = g.run(&["restore", out.to_str().unwrap()]);
    assert!(r.ok, "{}", r.stderr);
    let list = g.run(&["user", "list"]);
    assert!(list.ok && list.stdout.contains(NIP), "{} {}", list.stdout, list.stderr);
}
