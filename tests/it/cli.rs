//! The `gerbang` commands as an operator runs them.

use crate::support::Gerbang;

/// `user add` refuses each kind of bad NIP with its own message, in Indonesian and English,
/// as one line and a non-zero exit code.
#[test]
fn user_add_refuses_bad_nip_with_specific_messages() {
    let g = Gerbang::sqlite();
    let cases = [
        // (input, Indonesian fragment, English fragment)
        ("199002302015032002", "bukan tanggal yang ada", "date"), // 30 February
        ("199013152015032002", "bukan tanggal yang ada", "date"), // month 13 of birth
        ("199003152015002002", "bulan TMT", "00"),                // appointment month 00
        ("199003152015033002", "jenis kelamin) harus 1 atau 2, bukan 3", "must be 1 or 2, not 3"),
        ("19900315201503200", "18 digit, bukan 17 digit", "17"),
        ("1990031520150320021", "18 digit, bukan 19 digit", "19"),
        ("19900315201503200A", "karakter 'A'", "'A'"),
        ("199003152015032000", "tidak boleh 000", "000"),
        ("183003152015032002", "1940", "1940"),
    ];
    for (nip, id_msg, en_msg) in cases {
        let run = g.run(&["user", "add", "--nip", nip, "--name", "Uji"]);
        assert!(!run.ok, "{nip} accepted");
        assert!(run.stderr.contains(id_msg), "{nip}: {}", run.stderr);
        let last = run.stderr.trim_end().lines().last().unwrap_or_default();
        assert!(last.starts_with("gerbang: "), "{nip}: one readable line, got {last:?}");
        let run = g.run(&["--lang", "en", "user", "add", "--nip", nip, "--name", "Uji"]);
        assert!(!run.ok);
        assert!(run.stderr.contains(en_msg), "{nip} (en): {}", run.stderr);
    }
    // Nothing was created by the refused commands.
    let list = g.run(&["user", "list"]);
    assert!(list.ok, "{}", list.stderr);
    assert_eq!(list.stdout.trim(), "");
}

#[test]
fn user_add_refuses_bad_nik_with_specific_messages() {
    let g = Gerbang::sqlite();
    let cases = [
        ("1374023102900001", "bukan tanggal yang ada"), // 31 February
        ("1374027202900001", "41–71 untuk perempuan, bukan 72"),
        ("1374020113900001", "bulan lahir) harus 01–12, bukan 13"),
        ("1374020013900001", "bukan 00"),
        ("9974024107900001", "kode provinsi yang dikenal: 99"),
        ("137402410790000", "16 digit, bukan 15 digit"),
        ("13740241079000O1", "karakter 'O'"),
        ("1374024107900000", "tidak boleh 0000"),
    ];
    for (nik, msg) in cases {
        let run = g.run(&["user", "add", "--nik", nik, "--name", "Uji"]);
        assert!(!run.ok, "{nik} accepted");
        assert!(run.stderr.contains(msg), "{nik}: {}", run.stderr);
        assert!(!run.stderr.contains(&nik[..15]), "the bad NIK is not echoed back");
    }
}

/// Accounts through their whole CLI life; the NIK never appears in clear in the database file,
/// the logs (at trace level) or the output.
#[test]
fn user_lifecycle_keeps_nik_out_of_file_and_logs() {
    let g = Gerbang::sqlite();
    let nik = "1374024107900001";
    let add = g.run_with_stdin(
        &["user", "add", "--nik", "1374 0241 0790 0001", "--name", "Rina Marlina", "--password-stdin"],
        Some("kata-sandi-panjang\n"),
    );
    assert!(add.ok, "{}", add.stderr);
    assert!(add.stdout.contains("1374********0001"), "{}", add.stdout);
    // An unknown regency is accepted with a warning (a citizen of any region may register).
    let other = g.run(&["user", "add", "--nik", "1399014107900001", "--name", "Warga Lain"]);
    assert!(other.ok, "{}", other.stderr);
    assert!(other.stderr.contains("peringatan"), "{}", other.stderr);
    let asn = g.run(&[
        "user",
        "add",
        "--nip",
        "199207102022211003",
        "--name",
        "Budi",
        "--password",
        "kata-sandi-panjang",
        "--role",
        "admin",
    ]);
    assert!(asn.ok, "{}", asn.stderr);

    let list = g.run(&["user", "list", "--json"]);
    assert!(list.ok, "{}", list.stderr);
    assert_eq!(list.stdout.lines().count(), 3);
    assert!(list.stdout.contains("1374********0001") && list.stdout.contains("199207102022211003"));

    let dup = g.run(&["user", "add", "--nik", nik, "--name", "Penyusup"]);
    assert!(!dup.ok);
    assert!(dup.stderr.contains("NIK sudah terdaftar"), "{}", dup.stderr);

    let show = g.run(&["user", "show", "--nik", nik]);
    assert!(show.ok && show.stdout.contains("1374********0001"), "{}", show.stderr);

    let rekey = g.run(&["user", "rekey", "--nip", "199207102022211003", "--new-nip", "199207102023071003"]);
    assert!(rekey.ok, "{}", rekey.stderr);
    let show = g.run(&["user", "show", "--nip", "199207102023071003"]);
    assert!(
        show.stdout.contains("199207102022211003") && show.stdout.contains("PPPK"),
        "history kept: {}",
        show.stdout
    );

    let disable = g.run(&["user", "disable", "--nik", nik]);
    assert!(disable.ok && disable.stdout.contains("dinonaktifkan"), "{}", disable.stdout);
    let setpw = g.run(&["user", "set-password", "--nik", nik, "--password", "pendek"]);
    assert!(!setpw.ok && setpw.stderr.contains("minimal 10"), "{}", setpw.stderr);
    let missing = g.run(&["user", "disable", "--nip", "198001012005011001"]);
    assert!(!missing.ok && missing.stderr.contains("tidak ditemukan"), "{}", missing.stderr);

    let everything = [add, other, list, dup, show, disable, setpw]
        .iter()
        .map(|r| format!("{}{}", r.stdout, r.stderr))
        .collect::<String>();
    assert!(
        everything.contains("TRACE") || everything.contains("DEBUG") || everything.contains("sqlx"),
        "logs were captured at trace level"
    );
    assert!(!everything.contains(nik), "clear NIK in output or logs");
    let raw = g.raw_database();
    assert!(!raw.windows(nik.len()).any(|w| w == nik.as_bytes()), "clear NIK in the database file");
    assert!(raw.windows(12).any(|w| w == b"Rina Marlina"), "the scan reads real data");
}

#[test]
fn configuration_errors_name_the_key() {
    let g = Gerbang::sqlite();
    let run = g.command(&["check-config"]).env("GERBANG_IDP__PUBLIC_URL", "not a url").output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("idp.public_url"), "{err}");

    let run = g.command(&["check-config"]).env("GERBANG_BOGUS_KEY", "1").output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("bogus_key"), "{err}");

    let file = g.path().join("bad.toml");
    std::fs::write(&file, "[session]\nttl_secs = \"lama\"\n").unwrap();
    let run = g.run(&["--config", file.to_str().unwrap(), "check-config"]);
    assert!(!run.ok && run.stderr.contains("ttl_secs"), "{}", run.stderr);

    let run = g.command(&["check-config"]).env("DATABASE_URL", "postgres://u:rahasia@db.example/g").output().unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(out.contains("postgres://u:***@db.example/g") && !out.contains("rahasia"), "{out}");

    let missing = g.run(&["--config", "/nonexistent/gerbang.toml", "check-config"]);
    assert!(!missing.ok && missing.stderr.contains("not found"), "{}", missing.stderr);
}

/// The master key is bound to the database: another key is refused with a clear message.
#[test]
fn migrate_reports_progress_and_wrong_master_key_is_refused() {
    let g = Gerbang::sqlite();
    let first = g.run(&["migrate"]);
    assert!(first.ok, "{}", first.stderr);
    // "migrasi: N diterapkan, N total, …": a new database gets every migration.
    let counts: Vec<u32> = first.stdout.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok()).collect();
    assert!(counts.len() >= 2 && counts[0] >= 1 && counts[0] == counts[1], "{}", first.stdout);
    let again = g.run(&["migrate"]);
    assert!(again.stdout.contains("0 diterapkan"), "{}", again.stdout);
    let key = std::fs::read_to_string(g.path().join("master.key")).unwrap();
    assert_eq!(key.trim().len(), 44, "base64 of 32 bytes");

    let other = gerbang_core::crypto::MasterKey::generate().to_base64().to_string();
    let run = g.command(&["migrate"]).env("GERBANG_MASTER_KEY", other).output().unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("master key does not match"), "{err}");
}

/// The same commands on PostgreSQL (`DATABASE_URL`), where a master key must be given.
#[tokio::test]
async fn user_commands_on_postgres() {
    let Some(g) =
        Gerbang::postgres(concat!(env!("CARGO_PKG_NAME"), " ", module_path!(), "::user_commands_on_postgres")).await
    else {
        return;
    };
    let add =
        g.run(&["user", "add", "--nik", "1374024107900001", "--name", "Rina", "--password", "kata-sandi-panjang"]);
    assert!(add.ok, "{}", add.stderr);
    let list = g.run(&["user", "list", "--json"]);
    assert!(list.stdout.contains("1374********0001"), "{}", list.stdout);
    assert!(!g.path().join("gerbang.db").exists(), "no SQLite file in PostgreSQL mode");
    let no_key = g.command(&["migrate"]).env_remove("GERBANG_MASTER_KEY").output().unwrap();
    assert!(!no_key.status.success());
    assert!(String::from_utf8_lossy(&no_key.stderr).contains("no master key configured"));
}

#[test]
fn client_and_key_commands() {
    let g = Gerbang::sqlite();
    let add = g.run(&[
        "client",
        "add",
        "--name",
        "E-Office",
        "--id",
        "e-office",
        "--redirect-uri",
        "https://e-office.padangpanjang.go.id/cb",
    ]);
    assert!(add.ok, "{}", add.stderr);
    let secret = add
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("client_secret: "))
        .expect("secret printed once")
        .trim()
        .to_string();
    assert_eq!(secret.len(), 43);
    let list = g.run(&["client", "list"]);
    assert!(list.stdout.contains("e-office") && list.stdout.contains("client_secret_basic"), "{}", list.stdout);
    assert!(!list.stdout.contains(&secret), "the secret is shown only at creation");

    for (args, msg) in [
        (vec!["--redirect-uri", "http://evil.example/cb"], "loopback"),
        (vec!["--redirect-uri", "https://a.example/cb#frag"], "fragment"),
        (vec!["--public", "--grant", "client_credentials"], "public clients"),
        (vec!["--redirect-uri", "https://a.example/cb", "--scope", "nik"], "nik"),
        (vec!["--redirect-uri", "https://a.example/cb", "--scope", "superpower"], "unknown scope"),
    ] {
        let mut full = vec!["client", "add", "--name", "X"];
        full.extend(args.iter());
        let run = g.run(&full);
        assert!(!run.ok && run.stderr.contains(msg), "{args:?}: {}", run.stderr);
    }
    // Pasal 11: redirect URIs must be on a registered domain (padangpanjang.go.id is seeded).
    let outside = g.run(&["client", "add", "--name", "Luar", "--redirect-uri", "https://a.example/cb"]);
    assert!(!outside.ok && outside.stderr.contains("registered domain"), "{}", outside.stderr);
    let dup = g.run(&[
        "client",
        "add",
        "--name",
        "Lagi",
        "--id",
        "e-office",
        "--redirect-uri",
        "https://e-office.padangpanjang.go.id/cb",
    ]);
    assert!(!dup.ok && dup.stderr.contains("exists"), "{}", dup.stderr);

    let set = g.run(&[
        "client",
        "set-uris",
        "e-office",
        "--redirect-uri",
        "https://e-office.padangpanjang.go.id/.gerbang/callback",
        "--redirect-uri",
        "https://surat.padangpanjang.go.id/.gerbang/callback",
        "--backchannel-logout-uri",
        "https://gerbang.padangpanjang.go.id/.gerbang/backchannel-logout",
    ]);
    assert!(set.ok, "{}", set.stderr);
    let shown = g.run(&["client", "show", "e-office"]).stdout;
    assert!(shown.contains("surat.padangpanjang.go.id") && !shown.contains("/cb"), "{shown}");
    let bad = g.run(&["client", "set-uris", "e-office", "--redirect-uri", "http://evil.example/cb"]);
    assert!(!bad.ok && bad.stderr.contains("loopback"), "{}", bad.stderr);
    let none = g.run(&["client", "set-uris", "e-office"]);
    assert!(!none.ok && none.stderr.contains("at least one redirect URI"), "{}", none.stderr);

    let rotated = g.run(&["client", "rotate-secret", "e-office"]);
    assert!(rotated.ok && !rotated.stdout.contains(&secret), "{}", rotated.stdout);
    let disabled = g.run(&["client", "disable", "e-office"]);
    assert!(disabled.ok, "{}", disabled.stderr);
    assert!(g.run(&["client", "show", "e-office"]).stdout.contains("disabled"));
    assert!(!g.run(&["client", "disable", "tidak-ada"]).ok);

    let before = g.run(&["keys", "list"]);
    assert_eq!(before.stdout.lines().filter(|l| l.contains("active")).count(), 2, "{}", before.stdout);
    let rotate = g.run(&["keys", "rotate", "--alg", "ES256"]);
    assert!(rotate.ok, "{}", rotate.stderr);
    let after = g.run(&["keys", "list"]);
    let signing: Vec<&str> = after.stdout.lines().filter(|l| l.contains("ES256") || l.contains("RS256")).collect();
    assert_eq!(signing.len(), 3, "{}", after.stdout);
    assert_eq!(signing.iter().filter(|l| l.contains("retired")).count(), 1);
    assert!(after.stdout.contains("0    current"), "the data-key generation is listed: {}", after.stdout);
    assert!(!g.run(&["keys", "rotate", "--alg", "HS256"]).ok);
}

#[test]
fn policy_check_names_file_line_and_field_and_lists_redirect_uris() {
    let g = Gerbang::sqlite();
    let dir = g.path().join("pol");
    std::fs::create_dir_all(&dir).unwrap();
    let good = "[[route]]\nid = \"e-office\"\nhost = \"e-office.padangpanjang.go.id\"\nupstream = \"http://10.1.0.5:8080/\"\nlevel = \"asn\"\n";
    std::fs::write(dir.join("routes.toml"), good).unwrap();
    let run = g.run(&["policy", "check", "--dir", dir.to_str().unwrap()]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("http://e-office.padangpanjang.go.id/.gerbang/callback"), "{}", run.stdout);
    std::fs::write(dir.join("routes.toml"), format!("# comment\n{}", good.replace("\"asn\"", "\"asn-super\"")))
        .unwrap();
    let run = g.run(&["policy", "check", "--dir", dir.to_str().unwrap()]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("routes.toml:2: route \"e-office\": field `level`: unknown level \"asn-super\""),
        "{}",
        run.stderr
    );
    // A route's host must be on a registered domain (Pasal 11), unless only the files are checked.
    std::fs::write(dir.join("routes.toml"), good.replace("e-office.padangpanjang.go.id", "e-office.lain.example"))
        .unwrap();
    let run = g.run(&["policy", "check", "--dir", dir.to_str().unwrap()]);
    assert!(!run.ok);
    assert!(run.stderr.contains("e-office.lain.example"), "{}", run.stderr);
    let run = g.run(&["policy", "check", "--files-only", "--dir", dir.to_str().unwrap()]);
    assert!(run.ok, "{}", run.stderr);
    std::fs::write(dir.join("routes.toml"), good).unwrap();
    std::fs::write(
        dir.join("networks.toml"),
        "[[network]]\nid = \"a\"\ncidrs = [\"10.0.0.0/8\"]\n[[network]]\nid = \"b\"\ncidrs = [\"10.9.0.0/16\"]\n",
    )
    .unwrap();
    let run = g.run(&["policy", "check", "--dir", dir.to_str().unwrap()]);
    assert!(
        run.stderr.contains("networks.toml:4: network \"b\": field `cidrs`") && run.stderr.contains("overlaps"),
        "{}",
        run.stderr
    );
}

/// `gerbang audit verify` passes on an untouched log and, after a record is altered in the
/// database by hand, fails naming that record (Pasal 21-22: integrity).
#[test]
fn audit_verify_names_an_altered_record() {
    let g = Gerbang::sqlite();
    for id in ["satu", "dua", "tiga"] {
        let add = g.run(&[
            "client",
            "add",
            "--name",
            id,
            "--id",
            id,
            "--redirect-uri",
            "https://e-office.padangpanjang.go.id/cb",
        ]);
        assert!(add.ok, "{}", add.stderr);
    }
    let ok = g.run(&["audit", "verify"]);
    assert!(ok.ok && ok.stdout.contains("audit log intact: 3 records"), "{} {}", ok.stdout, ok.stderr);
    let export = g.run(&["audit", "export"]);
    assert!(
        export.ok && export.stdout.lines().count() == 4 && export.stdout.contains("client.create"),
        "{}",
        export.stdout
    );

    // An insider edits record 2 behind Gerbang's back.
    let db = g.path().join("gerbang.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = gerbang_core::store::Store::open_sqlite(&db).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        if let gerbang_core::store::Tx::Sqlite(t) = &mut tx {
            sqlx::query("UPDATE audit_log SET actor = 'orang-lain' WHERE seq = 2").execute(&mut **t).await.unwrap();
        }
        tx.commit().await.unwrap();
        store.close().await;
    });
    let broken = g.run(&["audit", "verify"]);
    assert!(!broken.ok, "{}", broken.stdout);
    assert!(broken.stderr.contains("BROKEN at record #2"), "{}", broken.stderr);
}

/// `gerbang register …`: an operator registers a domain, a network and a steward from the shell;
/// a client on the new domain is then accepted; refusals are clear; each change is audited as `cli`.
#[test]
fn register_commands_feed_the_domain_and_network_rules() {
    let g = Gerbang::sqlite();
    let outside = ["client", "add", "--name", "SI Kesehatan", "--redirect-uri", "https://si.dinkes.example/cb"];
    let refused = g.run(&outside);
    assert!(!refused.ok && refused.stderr.contains("si.dinkes.example"), "{}", refused.stderr);

    let add = g.run(&[
        "register",
        "add-domain",
        "dinkes.example",
        "--opd",
        "dinkes",
        "--decree-number",
        "188.45/7/2026",
        "--decree-date",
        "2026-03-01",
    ]);
    assert!(add.ok, "{}", add.stderr);
    let bad_date =
        g.run(&["register", "add-domain", "x.example", "--decree-number", "1", "--decree-date", "2026-02-30"]);
    assert!(!bad_date.ok && bad_date.stderr.contains("kalender"), "{}", bad_date.stderr);
    assert!(g.run(&["register", "domains"]).stdout.contains("dinkes.example"));
    let accepted = g.run(&outside);
    assert!(accepted.ok, "a client on a registered domain: {}", accepted.stderr);

    let net = |id: &str, cidr: &str| {
        g.run(&["register", "add-network", "--id", id, "--name", "LAN", "--opd", "dinkes", "--cidr", cidr])
    };
    assert!(net("lan-dinkes", "10.50.0.0/16").ok);
    let overlap = net("lan-lain", "10.50.1.0/24");
    assert!(!overlap.ok && overlap.stderr.contains("lan-dinkes"), "{}", overlap.stderr);
    assert!(g.run(&["register", "networks"]).stdout.contains("10.50.0.0/16"));

    let steward = g.run(&["register", "steward", "kesehatan", "--nip", "198001012005011001", "--decree", "Kep 1"]);
    assert!(!steward.ok, "no such ASN account yet");
    assert!(
        g.run(&[
            "user",
            "add",
            "--nip",
            "198001012005011001",
            "--name",
            "Wali Kesehatan",
            "--password",
            "kata-sandi-panjang"
        ])
        .ok
    );
    let steward = g.run(&["register", "steward", "kesehatan", "--nip", "198001012005011001", "--decree", "Kep 1"]);
    assert!(steward.ok, "{}", steward.stderr);
    assert!(g.run(&["register", "groups"]).stdout.lines().any(|l| l.contains("kesehatan") && !l.contains(" - ")));
    assert!(g.run(&["register", "apps"]).stdout.contains("e-office"));

    let audit = g.run(&["audit", "export"]);
    assert!(audit.stdout.lines().any(|l| l.contains(",cli,register.domain.create,")), "{}", audit.stdout);
}

/// `asn import`: progress on stderr, the counts and every bad row on stdout, a dry run that
/// writes nothing, the import, and a second run that changes nothing.
#[test]
fn asn_import_reports_progress_bad_rows_and_is_idempotent() {
    let g = Gerbang::sqlite();
    let mut csv = String::from("nip;nama;opd;status;email\n");
    for i in 0..30 {
        csv.push_str(&format!(
            "1985{:02}{:02}2010011{:03};Pegawai {i};dishub;aktif;p{i}@contoh.go.id\n",
            1 + i % 12,
            1 + i % 28,
            i + 1
        ));
    }
    csv.push_str("19850101201001100;Salah;dishub;aktif;\n"); // line 32: 17 digits
    csv.push_str("198501012010011099;Salah;dinas-x;aktif;\n"); // line 33: unknown OPD
    let file = g.dir.path().join("simpeg.csv");
    std::fs::write(&file, &csv).unwrap();
    let file = file.to_str().unwrap();

    let dry = g.run(&["asn", "import", file, "--dry-run"]);
    assert!(dry.ok, "{}", dry.stderr);
    assert!(dry.stderr.contains("Memeriksa 32/32 baris"), "{}", dry.stderr);
    assert!(dry.stdout.contains("tidak ada yang disimpan"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("     30  akun dibuat") && dry.stdout.contains("      2  baris salah"),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains("baris 32: NIP \"19850101201001100\": NIP:"), "{}", dry.stdout);
    assert!(dry.stdout.contains("baris 33:") && dry.stdout.contains("dinas-x"), "{}", dry.stdout);
    assert_eq!(g.run(&["user", "list"]).stdout.trim(), "", "a dry run writes nothing");

    let real = g.run(&["asn", "import", file]);
    assert!(real.ok, "{}", real.stderr);
    assert!(real.stderr.contains("Menyimpan 30/30 baris"), "{}", real.stderr);
    assert_eq!(g.run(&["user", "list"]).stdout.lines().count(), 30);

    let again = g.run(&["--lang", "en", "asn", "import", file, "--details"]);
    assert!(again.ok, "{}", again.stderr);
    assert!(
        again.stdout.contains("      0  accounts created") && again.stdout.contains("     30  unchanged"),
        "{}",
        again.stdout
    );
    assert!(again.stdout.contains("line 33:") && again.stdout.contains("unknown or retired"), "{}", again.stdout);

    let missing = g.run(&["asn", "import", "/tidak/ada.csv"]);
    assert!(!missing.ok && missing.stderr.contains("/tidak/ada.csv"), "{}", missing.stderr);
}
