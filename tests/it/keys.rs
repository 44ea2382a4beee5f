//! `gerbang keys rotate-master` as an operator runs it, against a running system: step 1 with
//! the old key, a restart with the new key, step 2 while it runs; sign-ins by NIK and tokens
//! work throughout, and the old key opens nothing afterwards.

use crate::support::{Demo, Gerbang, add_machine_client, client, sign_in, token};

const NIK: &str = "1374022309850077";
const PW: &str = "kata-sandi-rotasi";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_master_key_changes_while_the_system_runs() {
    let g = Gerbang::sqlite();
    let demo = Demo::start(&g);
    let idp = demo.str("idp_url");
    let add = g.run_with_stdin(&["user", "add", "--nik", NIK, "--name", "Warga Rotasi", "--password-stdin"], Some(PW));
    assert!(add.ok, "{}", add.stderr);
    let secret = add_machine_client(&g);
    assert_eq!(sign_in(&client(), &idp, NIK, PW).await, 303);
    let key_file = g.path().join("master.key");
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    let new_file = g.path().join("baru.key");
    std::fs::write(&new_file, gerbang_core::crypto::MasterKey::generate().to_base64().as_bytes()).unwrap();
    let new_arg = new_file.to_str().unwrap();

    // Step 1, with the old key configured. The same key, or a missing file, is refused.
    let same = g.run(&["keys", "rotate-master", "--new-key-file", key_file.to_str().unwrap()]);
    assert!(!same.ok && same.stderr.contains("the one in use"), "{}", same.stderr);
    let missing = g.run(&["keys", "rotate-master", "--new-key-file", "/tidak/ada.key"]);
    assert!(!missing.ok && missing.stderr.contains("/tidak/ada.key"), "{}", missing.stderr);
    let garbled = g.path().join("rusak.key");
    std::fs::write(&garbled, "bukan-kunci-base64!").unwrap();
    let bad = g.run(&["keys", "rotate-master", "--new-key-file", garbled.to_str().unwrap()]);
    assert!(!bad.ok && bad.stderr.contains("not valid base64 of 32 bytes"), "{}", bad.stderr);
    assert!(!bad.stderr.contains("bukan-kunci"), "the file's content is never echoed: {}", bad.stderr);
    let early_grace = g.run(&["keys", "rotate-master", "--no-grace"]);
    assert!(!early_grace.ok, "--no-grace only goes with --finish");
    let begin = g.run(&["keys", "rotate-master", "--new-key-file", new_arg]);
    assert!(begin.ok, "{}", begin.stderr);
    assert!(begin.stdout.contains("Langkah 1 selesai") && begin.stdout.contains("--finish"), "{}", begin.stdout);
    // Finishing before the new key is configured is refused, and changes nothing.
    let early = g.run(&["keys", "rotate-master", "--finish"]);
    assert!(!early.ok && early.stderr.contains("old master key"), "{}", early.stderr);
    assert_eq!(sign_in(&client(), &idp, NIK, PW).await, 303, "the running replica goes on");

    // The replica restarts with the new key.
    drop(demo);
    std::fs::copy(&new_file, &key_file).unwrap();
    let demo = Demo::start(&g);
    let idp = demo.str("idp_url");
    assert_eq!(sign_in(&client(), &idp, NIK, PW).await, 303);

    // Step 2 while it runs: the stored secrets are rewritten and the replica takes the new data
    // key up by itself.
    let finish = g.run(&["keys", "rotate-master", "--finish"]);
    assert!(finish.ok, "{}", finish.stderr);
    assert!(finish.stdout.contains("Generasi 1 kini aktif"), "{}", finish.stdout);
    let rewritten = |label: &str| -> u64 {
        let line = finish.stdout.lines().find(|l| l.starts_with(label)).unwrap_or_else(|| panic!("{label}"));
        line.split(", ").nth(1).and_then(|p| p.split(' ').next()).and_then(|n| n.parse().ok()).unwrap()
    };
    assert!(rewritten("NIK:") >= 1, "{}", finish.stdout);
    assert!(rewritten("kunci penandatangan") >= 2, "{}", finish.stdout);
    assert!(finish.stdout.contains("0 tak terbuka"), "{}", finish.stdout);
    assert_eq!(sign_in(&client(), &idp, NIK, PW).await, 303);
    assert_eq!(sign_in(&client(), &idp, NIK, "bukan-sandinya-123").await, 401);
    assert_eq!(token(&idp, "simpeg", &secret).await.0, 200);
    let log = std::fs::read_to_string(&demo.log).unwrap();
    assert!(log.contains("data keys reloaded"), "the running replica took the new generation up");
    let again = g.run(&["keys", "reseal"]);
    assert!(again.ok && !again.stdout.contains("1 ditulis ulang"), "nothing left: {}", again.stdout);
    let list = g.run(&["keys", "list"]);
    assert!(list.stdout.contains("current") && list.stdout.contains("retired"), "{}", list.stdout);

    // After a restart everything opens from what was rewritten.
    drop(demo);
    let demo = Demo::start(&g);
    let idp = demo.str("idp_url");
    assert_eq!(sign_in(&client(), &idp, NIK, PW).await, 303);
    let (status, body) = token(&idp, "simpeg", &secret).await;
    assert_eq!(status, 200, "{body}");
    drop(demo);

    // The old key opens nothing any more.
    std::fs::write(&key_file, old_key).unwrap();
    let old = g.run(&["keys", "list"]);
    assert!(!old.ok && old.stderr.contains("does not match this database"), "{}", old.stderr);
}
