//! The words of every message Gerbang sends, in Indonesian or English. A code is never the only
//! thing in a message: each says what it is for and what to do if the person did not ask.

use gerbang_core::lang::Lang;

use super::Message;

fn pick(lang: Lang, id: String, en: String) -> String {
    if lang == Lang::En { en } else { id }
}

/// The code that proves a contact during registration.
pub fn registration_code(lang: Lang, code: &str, minutes: i64) -> Message {
    Message {
        subject: pick(
            lang,
            "Kode pendaftaran SSO Padang Panjang".into(),
            "SSO Padang Panjang registration code".into(),
        ),
        body: pick(
            lang,
            format!(
                "Kode pendaftaran Anda: {code}\n\nKode berlaku {minutes} menit dan hanya dapat dipakai sekali. \
                 Jangan berikan kode ini kepada siapa pun, termasuk petugas. Jika Anda tidak mendaftar, abaikan pesan ini."
            ),
            format!(
                "Your registration code: {code}\n\nThe code is valid for {minutes} minutes and works once. \
                 Never give it to anyone, staff included. If you did not register, ignore this message."
            ),
        ),
    }
}

/// The code that lets a person set a new password (reset or first activation).
pub fn reset_code(lang: Lang, code: &str, minutes: i64) -> Message {
    Message {
        subject: pick(lang, "Kode atur ulang kata sandi SSO".into(), "SSO password reset code".into()),
        body: pick(
            lang,
            format!(
                "Kode untuk mengatur kata sandi akun SSO Padang Panjang Anda: {code}\n\nKode berlaku {minutes} menit \
                 dan hanya dapat dipakai sekali. Jangan berikan kode ini kepada siapa pun. Jika Anda tidak memintanya, \
                 abaikan pesan ini; kata sandi Anda tidak berubah."
            ),
            format!(
                "The code to set the password of your SSO Padang Panjang account: {code}\n\nThe code is valid for \
                 {minutes} minutes and works once. Never give it to anyone. If you did not ask for it, ignore this \
                 message; your password is unchanged."
            ),
        ),
    }
}

/// After a reset: told on every proven contact, so a reset by someone else is noticed.
pub fn password_changed(lang: Lang, when: &str) -> Message {
    Message {
        subject: pick(lang, "Kata sandi SSO Anda telah diubah".into(), "Your SSO password was changed".into()),
        body: pick(
            lang,
            format!(
                "Kata sandi akun SSO Padang Panjang Anda diatur ulang pada {when}. Semua sesi dan aplikasi yang \
                 masuk dengan akun ini telah dikeluarkan.\n\nJika bukan Anda yang melakukannya, segera atur ulang \
                 kata sandi lagi dan hubungi Dinas Kominfo Kota Padang Panjang."
            ),
            format!(
                "The password of your SSO Padang Panjang account was reset at {when}. Every session and application \
                 signed in with this account was signed out.\n\nIf this was not you, reset the password again now \
                 and contact Dinas Kominfo Kota Padang Panjang."
            ),
        ),
    }
}

/// Someone proved a contact and asked to register a NIK that already has an account.
pub fn registration_attempt(lang: Lang, when: &str) -> Message {
    Message {
        subject: pick(
            lang,
            "Percobaan pendaftaran dengan NIK Anda".into(),
            "A registration attempt with your NIK".into(),
        ),
        body: pick(
            lang,
            format!(
                "Pada {when} seseorang mencoba mendaftarkan akun SSO baru dengan NIK Anda. Pendaftaran itu ditolak \
                 karena NIK Anda sudah memiliki akun.\n\nJika itu Anda, gunakan «Lupa kata sandi?» di halaman masuk. \
                 Jika bukan, tidak ada yang perlu Anda lakukan."
            ),
            format!(
                "At {when} someone tried to register a new SSO account with your NIK. It was refused because your \
                 NIK already has an account.\n\nIf it was you, use «Forgot password?» on the sign-in page. If not, \
                 there is nothing you need to do."
            ),
        ),
    }
}

/// Before an unused account is disabled.
pub fn inactivity_notice(lang: Lang, days: u32, until: &str) -> Message {
    Message {
        subject: pick(lang, "Akun SSO Anda akan dinonaktifkan".into(), "Your SSO account will be disabled".into()),
        body: pick(
            lang,
            format!(
                "Akun SSO Padang Panjang Anda tidak dipakai selama {days} hari dan akan dinonaktifkan pada {until}. \
                 Untuk tetap memakainya, cukup masuk sekali sebelum tanggal itu."
            ),
            format!(
                "Your SSO Padang Panjang account has not been used for {days} days and will be disabled on {until}. \
                 To keep it, simply sign in once before that date."
            ),
        ),
    }
}
