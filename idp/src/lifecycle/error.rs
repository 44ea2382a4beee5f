//! `LifecycleError`: what registration, contact proof, password reset and verification refuse,
//! in both languages. Pages show the message next to the form; nothing here names whose NIK or
//! contact something is.

use gerbang_core::lang::{Lang, Localized};
use gerbang_core::store::StoreError;

use crate::accounts::{AccountError, IdentityError};
use crate::notify::NotifyError;

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    /// Self-registration is switched off, or no channel can carry a code.
    #[error("Pendaftaran mandiri belum tersedia. Silakan datang ke loket Disdukcapil atau Mal Pelayanan Publik.")]
    RegistrationClosed,
    #[error("Terlalu banyak permintaan dari alamat ini. Silakan coba lagi dalam satu jam.")]
    TooMany,
    #[error(
        "Pemeriksaan anti-otomatisasi gagal atau kedaluwarsa. Pastikan JavaScript aktif, muat ulang halaman, lalu coba lagi."
    )]
    ProofOfWork,
    #[error("{}", .0.message(Lang::Id))]
    Account(AccountError),
    #[error("{}", .0.message(Lang::Id))]
    Identifier(IdentityError),
    #[error("Tanggal lahir belum diisi atau tidak valid (format TTTT-BB-HH).")]
    BadBirthDate,
    #[error(
        "Tanggal lahir tidak sesuai dengan NIK. Digit ke-7 sampai 12 NIK memuat tanggal lahir; periksa kembali NIK dan tanggal lahir Anda."
    )]
    BirthDateMismatch,
    #[error("Pilih jenis kelamin.")]
    NoSex,
    #[error(
        "Jenis kelamin tidak sesuai dengan NIK (pada NIK perempuan, tanggal lahir ditambah 40). Periksa kembali NIK Anda."
    )]
    SexMismatch,
    #[error("Isi alamat email atau nomor HP (atau keduanya) untuk menerima kode verifikasi.")]
    NoContact,
    #[error("Alamat email tidak valid.")]
    BadEmail,
    #[error("Nomor HP tidak valid. Tulis nomor seluler Indonesia, misalnya 0812 3456 7890.")]
    BadPhone,
    #[error("Pengiriman kode lewat {0} belum tersedia; pakai saluran lain.")]
    ChannelUnavailable(&'static str),
    #[error("Pilih saluran pengiriman kode: email atau SMS.")]
    NoChannel,
    #[error("Kedua kata sandi tidak sama.")]
    PasswordsDiffer,
    #[error("Pendaftaran ini sudah kedaluwarsa atau tidak ditemukan. Silakan mendaftar lagi.")]
    RegistrationGone,
    #[error("Permintaan ini sudah kedaluwarsa atau tidak ditemukan. Silakan minta kode baru.")]
    RequestGone,
    #[error("Kode salah. Sisa percobaan: {left}.")]
    WrongCode { left: i64 },
    #[error("Kode sudah kedaluwarsa, sudah dipakai, atau terlalu sering salah. Minta kode baru.")]
    CodeSpent,
    #[error("Kode belum diisi.")]
    NoCode,
    #[error("Kode baru belum dapat dikirim. Tunggu satu menit; paling banyak 5 kode per jam.")]
    ResendTooSoon,
    #[error("Pesan tidak dapat dikirim saat ini. Silakan coba lagi beberapa saat lagi.")]
    Delivery(#[source] NotifyError),
    #[error("Tempat pemeriksaan wajib diisi (misalnya «Loket Disdukcapil Padang Panjang»).")]
    NoPlace,
    #[error("Centang bahwa KTP-el sudah diperiksa langsung dan cocok dengan data akun.")]
    NotChecked,
    #[error("Hanya akun warga yang diverifikasi di loket.")]
    NotCitizen,
    #[error("Akun tidak ditemukan.")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<AccountError> for LifecycleError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Store(s) => LifecycleError::Store(s),
            other => LifecycleError::Account(other),
        }
    }
}

impl LifecycleError {
    /// Errors of the person's input (shown with the form, answered 4xx); the rest are the server's.
    pub fn is_refusal(&self) -> bool {
        match self {
            LifecycleError::Store(_) | LifecycleError::Delivery(_) => false,
            LifecycleError::Account(e) => !matches!(e, AccountError::Seal(_) | AccountError::Busy),
            _ => true,
        }
    }
}

impl Localized for LifecycleError {
    fn message(&self, lang: Lang) -> String {
        if lang == Lang::Id {
            return self.to_string();
        }
        match self {
            LifecycleError::RegistrationClosed => {
                "Self-registration is not available. Please visit a Disdukcapil counter or the public service mall.".into()
            }
            LifecycleError::TooMany => "Too many requests from this address. Please try again in an hour.".into(),
            LifecycleError::ProofOfWork => {
                "The anti-automation check failed or expired. Make sure JavaScript is on, reload the page and try again."
                    .into()
            }
            LifecycleError::Account(e) => e.message(lang),
            LifecycleError::Identifier(e) => e.message(lang),
            LifecycleError::BadBirthDate => "The birth date is missing or invalid (format YYYY-MM-DD).".into(),
            LifecycleError::BirthDateMismatch => {
                "The birth date does not match the NIK. Digits 7 to 12 of a NIK hold the birth date; check both.".into()
            }
            LifecycleError::NoSex => "Choose a sex.".into(),
            LifecycleError::SexMismatch => {
                "The sex does not match the NIK (a woman's NIK has 40 added to the birth day). Check your NIK.".into()
            }
            LifecycleError::NoContact => {
                "Give an email address or a mobile number (or both) to receive the verification code.".into()
            }
            LifecycleError::BadEmail => "The email address is not valid.".into(),
            LifecycleError::BadPhone => {
                "The mobile number is not valid. Write an Indonesian mobile number, e.g. 0812 3456 7890.".into()
            }
            LifecycleError::ChannelUnavailable(c) => format!("Codes cannot be sent by {c} yet; use the other channel."),
            LifecycleError::NoChannel => "Choose how the code is sent: email or SMS.".into(),
            LifecycleError::PasswordsDiffer => "The two passwords differ.".into(),
            LifecycleError::RegistrationGone => "This registration expired or was not found. Please register again.".into(),
            LifecycleError::RequestGone => "This request expired or was not found. Please ask for a new code.".into(),
            LifecycleError::WrongCode { left } => format!("Wrong code. Tries left: {left}."),
            LifecycleError::CodeSpent => "The code expired, was used, or was wrong too often. Ask for a new one.".into(),
            LifecycleError::NoCode => "Enter the code.".into(),
            LifecycleError::ResendTooSoon => {
                "A new code cannot be sent yet. Wait a minute; at most 5 codes an hour.".into()
            }
            LifecycleError::Delivery(_) => "The message cannot be sent right now. Please try again shortly.".into(),
            LifecycleError::NoPlace => "The place of the check is required (e.g. «Disdukcapil counter»).".into(),
            LifecycleError::NotChecked => "Tick that the KTP-el was checked in person and matches the account.".into(),
            LifecycleError::NotCitizen => "Only citizens' accounts are verified at the counter.".into(),
            LifecycleError::NotFound => "Account not found.".into(),
            LifecycleError::Store(e) => format!("Storage error: {e}"),
        }
    }
}
