//! The scale workload of `bench/run`: the sign-in lookup (an account by NIK, as `/masuk` finds
//! it) and the administrator's search (`/admin/akun?q=`: a name prefix, and an exact NIK) at
//! 10 k generated citizen accounts, then at 1 M, on one database; prints the cost of each at both
//! sizes and their ratio.
//!
//!   cargo run --release -p gerbang-idp --example scale -- sqlite /tmp/scale.db [ACCOUNTS]
//!   cargo run --release -p gerbang-idp --example scale -- postgres postgres://… [ACCOUNTS]
//!
//! The database must be empty (it is migrated here). Generated accounts are written through the
//! store like real ones (account row, sealed NIK and its blind index, under a fixed bench key),
//! without a password: a lookup does not read it, and hashing a million passwords would take a
//! day. Lines on stdout: `scale <backend> <operation> <accounts> <microseconds per operation>`.

use std::path::Path;
use std::time::Instant;

use gerbang_core::config::PasswordConfig;
use gerbang_core::crypto::password::PasswordHasher;
use gerbang_core::crypto::{Keys, Root, RootState};
use gerbang_core::ids::Nik;
use gerbang_core::store::{AccountKind, AccountStore, Assurance, NewAccount, Store, now_unix};
use gerbang_idp::accounts::{AccountService, Identity};
use zeroize::Zeroizing;

const SMALL: u64 = 10_000;
const LARGE: u64 = 1_000_000;
/// Accounts written per transaction.
const BATCH: u64 = 2_000;
/// Operations timed per measurement (after as many untimed ones, to warm the caches).
const LOOKUPS: u64 = 4_000;
const SEARCHES: u64 = 1_000;

const FIRST: &[&str] = &[
    "Ahmad", "Budi", "Citra", "Dewi", "Eka", "Fajar", "Gita", "Hendra", "Indah", "Joko", "Kartika", "Lestari", "Made",
    "Nur", "Oktavia", "Putri", "Rahmat", "Siti", "Taufik", "Utami", "Wahyu", "Yusuf", "Zainal", "Rina",
];
const LAST: &[&str] = &[
    "Saputra",
    "Hidayat",
    "Wijaya",
    "Pratama",
    "Lubis",
    "Nasution",
    "Siregar",
    "Harahap",
    "Chaniago",
    "Tanjung",
    "Koto",
    "Piliang",
    "Sikumbang",
    "Caniago",
    "Melayu",
    "Jambak",
    "Guci",
    "Panyalai",
    "Rangkayo",
    "Datuak",
];

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (backend, target) = match args.as_slice() {
        [b, t, ..] => (b.as_str(), t.as_str()),
        _ => return Err("usage: scale sqlite PATH | postgres URL [ACCOUNTS]".into()),
    };
    let large = args.get(2).map(|n| n.parse::<u64>()).transpose()?.unwrap_or(LARGE).max(SMALL);
    let store = match backend {
        "sqlite" => Store::open_sqlite(Path::new(target)).await?,
        "postgres" => Store::open_postgres(target).await?,
        other => return Err(format!("unknown backend {other}").into()),
    };
    store.migrate().await?;
    if store.conn().await?.count_accounts().await? != 0 {
        return Err("the database is not empty".into());
    }
    let root = Root { generation: 0, state: RootState::Current, retired_at: None, bytes: Zeroizing::new([42; 32]) };
    let keys = Keys::from_roots(&[root])?;
    let hasher = PasswordHasher::new(&PasswordConfig::default()).map_err(|e| e.to_string())?;
    let accounts = AccountService::new(store.clone(), keys.clone(), hasher, 12);

    populate(&store, &keys, 0, SMALL).await?;
    measure(backend, &accounts, SMALL).await?;
    populate(&store, &keys, SMALL, large).await?;
    measure(backend, &accounts, large).await?;
    Ok(())
}

/// The NIK of generated account `i`: Kota Padang Panjang, a kecamatan, a birth date from 1950
/// to 1999 and a serial, so that every `i` below 670 million has its own valid NIK.
fn nik(i: u64) -> String {
    let day = 1 + i % 28;
    let month = 1 + (i / 28) % 12;
    let year = 50 + (i / 336) % 50;
    let district = 1 + (i / 16_800) % 4;
    let serial = 1 + i / 67_200;
    format!("13740{district}{day:02}{month:02}{year:02}{serial:04}")
}

fn name(i: u64) -> String {
    // A scrambled pick, so that neighbouring accounts have unrelated names.
    let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!("{} {}", FIRST[(h >> 20) as usize % FIRST.len()], LAST[(h >> 40) as usize % LAST.len()])
}

async fn populate(store: &Store, keys: &Keys, from: u64, to: u64) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let now = now_unix();
    let mut i = from;
    while i < to {
        let end = (i + BATCH).min(to);
        let mut tx = store.begin().await?;
        for n in i..end {
            let id = gerbang_core::crypto::random::subject_id();
            let (nik, name) = (nik(n), name(n));
            let account = NewAccount {
                id: &id,
                kind: AccountKind::Warga,
                display_name: &name,
                opd_id: None,
                assurance: Assurance::Terdaftar,
                now,
            };
            tx.insert_account(&account).await?;
            let index = keys.nik_index.index(nik.as_bytes());
            let sealed = keys.nik_sealer.seal(nik.as_bytes(), id.as_bytes());
            tx.insert_nik(&id, &index, &sealed).await?;
        }
        tx.commit().await?;
        i = end;
        if (i - from).is_multiple_of(100_000) || i == to {
            let rate = (i - from) as f64 / started.elapsed().as_secs_f64();
            eprintln!("accounts: {i}/{to} ({rate:.0}/s)");
        }
    }
    Ok(())
}

async fn measure(backend: &str, accounts: &AccountService, count: u64) -> Result<(), Box<dyn std::error::Error>> {
    // Spread over the whole population, in an order unrelated to insertion.
    let pick = |k: u64| k.wrapping_mul(2_654_435_761) % count;
    let lookup = |k: u64| async move {
        let nik = Nik::parse(&nik(pick(k)))?;
        match accounts.find(&Identity::Nik(nik)).await? {
            Some(_) => Ok(()),
            None => Err(format!("generated account {} not found", pick(k)).into()),
        }
    };
    report(backend, "login_lookup", count, mean_micros(LOOKUPS, lookup).await?);

    let by_name = |k: u64| async move {
        let first = FIRST[k as usize % FIRST.len()];
        match accounts.search(&first[..3], "", "", 50).await? {
            found if found.is_empty() => Err(format!("no account found for {first}").into()),
            _ => Ok(()),
        }
    };
    report(backend, "admin_search_name", count, mean_micros(SEARCHES, by_name).await?);

    let by_nik = |k: u64| async move {
        match accounts.search(&nik(pick(k)), "", "", 50).await?.len() {
            1 => Ok(()),
            n => Err(format!("{n} accounts found for one NIK").into()),
        }
    };
    report(backend, "admin_search_nik", count, mean_micros(SEARCHES, by_nik).await?);
    Ok(())
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

/// Runs `op` for keys `0..n` untimed (to warm the caches), then for `n..2n` timed: the mean
/// cost of one, in microseconds.
async fn mean_micros<F, Fut>(n: u64, op: F) -> Result<f64, Box<dyn std::error::Error>>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Outcome>,
{
    for k in 0..n {
        op(k).await?;
    }
    let started = Instant::now();
    for k in n..2 * n {
        op(k).await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / n as f64)
}

fn report(backend: &str, what: &str, count: u64, micros: f64) {
    println!("scale {backend} {what} {count} {micros:.1}");
}
