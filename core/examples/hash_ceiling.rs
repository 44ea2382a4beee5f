//! The physical ceiling of password sign-in: how many password verifications (argon2id with the
//! configured parameters) one thread does per second. `bench/run` measures it on the core the
//! server runs on, in the same run, and reports the login rate as a fraction of it.
//!
//!   cargo run --release -p gerbang-core --example hash_ceiling -- [SECONDS] [MEMORY_KIB] [ITERATIONS]
//!
//! Defaults: 5 seconds and the parameters of `gerbang.toml.example` (OWASP: 19 MiB, 2 passes).
//! Prints one line: `hashes/s: N`.

use std::time::{Duration, Instant};

use gerbang_core::config::PasswordConfig;
use gerbang_core::crypto::PasswordHasher;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let seconds = arg(0, 5);
    let mut config = PasswordConfig::default();
    config.memory_kib = arg(1, u64::from(config.memory_kib)) as u32;
    config.iterations = arg(2, u64::from(config.iterations)) as u32;
    let hasher = match PasswordHasher::new(&config) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("argon2 parameters refused: {e}");
            std::process::exit(2);
        }
    };
    let phc = hasher.hash("kata-sandi-panjang");
    let _ = hasher.verify("kata-sandi-panjang", &phc);
    let (start, mut n) = (Instant::now(), 0u64);
    while start.elapsed() < Duration::from_secs(seconds) {
        let _ = hasher.verify("kata-sandi-panjang", &phc);
        n += 1;
    }
    println!("hashes/s: {:.1}", n as f64 / start.elapsed().as_secs_f64());
}
