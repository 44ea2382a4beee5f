//! The verifikator's counter page (`/verifikasi`): find a citizen by NIK (posted, never in a URL),
//! see the account and, when a population-data service is connected, its answer; after checking
//! the KTP-el in person, mark the identity proven with the place of the check.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use gerbang_core::ids::{Nik, Sex};
use gerbang_core::lang::Localized;
use gerbang_core::store::Assurance;

use super::admin::{AdminPage, Field, FormData, P, Who, cell, enc, facts, form, table, text};
use super::error::PageError;
use super::lang::UiLang;
use crate::admin::Role;
use crate::lifecycle::PopulationAnswer;
use crate::lifecycle::assurance::{Candidate, InPersonCheck};
use crate::state::AppState;
use crate::wib;

type Page = Result<Response, PageError>;

pub async fn page(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = match Who::get(&state, &headers, ui, "/verifikasi").await? {
        Ok(w) => w,
        Err(sign_in) => return Ok(sign_in),
    };
    require(&who)?;
    render(&state, &who, "", None, None, None).await
}

/// The search: a NIK posted with the form.
pub async fn search(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = match Who::get(&state, &headers, ui, "/verifikasi").await? {
        Ok(w) => w,
        Err(sign_in) => return Ok(sign_in),
    };
    require(&who)?;
    who.check(&headers, &f, state.secure_cookies)?;
    let typed = f.get("nik");
    let nik = match Nik::parse(typed) {
        Ok(nik) => nik,
        Err(e) => return render(&state, &who, typed, None, Some(e.message(who.lang())), None).await,
    };
    let found = state.lifecycle.candidate(&nik).await.map_err(PageError::from_lifecycle)?;
    let missing =
        found.is_none().then(|| who.tr("Tidak ada akun dengan NIK ini.", "No account has this NIK.").to_string());
    render(&state, &who, typed, found, missing, None).await
}

pub async fn verify(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = match Who::get(&state, &headers, ui, "/verifikasi").await? {
        Ok(w) => w,
        Err(sign_in) => return Ok(sign_in),
    };
    require(&who)?;
    who.check(&headers, &f, state.secure_cookies)?;
    let check = InPersonCheck {
        place: f.get("place").into(),
        ktp_checked: f.get("ktp_checked") == "on",
        note: f.get("note").into(),
    };
    let result = state.lifecycle.verify_in_person(&who.principal, &id, &check).await;
    let candidate = state.lifecycle.candidate_by_id(&id).await.map_err(PageError::from_lifecycle)?;
    if candidate.is_none() {
        return Err(PageError::NotFound);
    }
    match result {
        Ok(()) => {
            let done = who.tr("Identitas terverifikasi dan dicatat.", "Identity verified and recorded.").to_string();
            render(&state, &who, "", candidate, None, Some(done)).await
        }
        Err(e) if e.is_refusal() => render(&state, &who, "", candidate, Some(e.message(who.lang())), None).await,
        Err(e) => Err(PageError::from_lifecycle(e)),
    }
}

fn require(who: &Who) -> Result<(), PageError> {
    if who.principal.has(Role::Verifier) { Ok(()) } else { Err(PageError::Forbidden) }
}

async fn render(
    state: &AppState,
    who: &Who,
    typed: &str,
    candidate: Option<Candidate>,
    error: Option<String>,
    notice: Option<String>,
) -> Page {
    let title = who.tr("Verifikasi identitas warga", "Citizen identity verification");
    let mut page = AdminPage::new("verifier", "verifikasi", title).push(text(who.tr(
        "Cari akun dengan NIK dari KTP-el yang ditunjukkan, periksa kecocokan nama dan tanggal lahir, lalu catat verifikasinya.",
        "Find the account by the NIK of the KTP-el shown, check the name and birth date, then record the verification.",
    )));
    page.notice = notice;
    let refused = error.is_some();
    let search_error = if candidate.is_none() { error.clone() } else { None };
    let typed: String = typed.chars().take(32).collect();
    page = page.push(form(
        "find",
        who.tr("Cari NIK", "Find a NIK"),
        "/verifikasi",
        vec![Field::text("nik", "NIK", &typed).required()],
        who.tr("Cari", "Find"),
        search_error,
    ));
    if let Some(c) = candidate {
        let sex = match c.sex {
            Sex::Male => who.tr("laki-laki", "male"),
            Sex::Female => who.tr("perempuan", "female"),
        };
        let assurance = match c.account.assurance {
            Assurance::Terdaftar => who.tr("terdaftar (belum diverifikasi)", "registered (not verified)"),
            Assurance::Terverifikasi => who.tr("terverifikasi", "verified"),
        };
        let born = format!("{:02}-{:02}-{}", c.birth_date.day(), u8::from(c.birth_date.month()), c.birth_date.year());
        page = page.push(facts(
            "candidate",
            who.tr("Akun", "Account"),
            vec![
                (who.tr("Nama", "Name").into(), c.account.display_name.clone()),
                ("NIK".into(), c.nik_masked.clone()),
                (who.tr("Tanggal lahir (dari NIK)", "Birth date (from the NIK)").into(), born),
                (who.tr("Jenis kelamin (dari NIK)", "Sex (from the NIK)").into(), sex.into()),
                (who.tr("Status identitas", "Identity status").into(), assurance.into()),
                (who.tr("Status akun", "Account status").into(), who.code(c.account.status.as_str())),
                (who.tr("Terdaftar sejak", "Registered since").into(), wib::date_time(c.account.created_at)),
            ],
        ));
        if let Some(nik) =
            state.accounts.nik_of(&c.account.id).await.map_err(|e| PageError::from_account(e, who.lang()))?
            && let Some((service, answer)) = state.lifecycle.population_check(&nik, &c.account.display_name).await
        {
            let said = match answer {
                Ok(PopulationAnswer::Match) => {
                    who.tr("cocok: NIK, nama dan tanggal lahir", "match: NIK, name and birth date").into()
                }
                Ok(PopulationAnswer::Mismatch(fields)) => {
                    format!("{}: {}", who.tr("tidak cocok", "mismatch"), fields.join(", "))
                }
                Ok(PopulationAnswer::NotFound) => who.tr("NIK tidak ditemukan", "NIK not found").into(),
                Err(reason) => format!("{}: {reason}", who.tr("tidak dapat diperiksa", "could not be checked")),
            };
            page = page.push(facts(
                "population",
                who.tr("Data kependudukan (daring)", "Population data (online)"),
                vec![(service, said)],
            ));
        }
        if c.account.assurance != Assurance::Terverifikasi {
            let fields = vec![
                Field::text("place", who.tr("Tempat pemeriksaan (wajib)", "Place of the check (required)"), "")
                    .required()
                    .help(who.tr("Misalnya «Loket Disdukcapil, MPP Padang Panjang».", "E.g. «Disdukcapil counter, public service mall».")),
                Field::checkbox(
                    "ktp_checked",
                    who.tr("KTP-el asli sudah saya periksa langsung; nama, NIK dan tanggal lahirnya cocok dengan akun ini.",
                           "I checked the original KTP-el in person; its name, NIK and birth date match this account."),
                    false,
                ),
                Field::text("note", who.tr("Catatan (opsional)", "Note (optional)"), "").kind("textarea"),
            ];
            let decide_error = if refused { error } else { None };
            page = page.push(form(
                "verify",
                who.tr("Catat verifikasi", "Record the verification"),
                &format!("/verifikasi/{}", enc(&c.account.id)),
                fields,
                who.tr("Tandai terverifikasi", "Mark verified"),
                decide_error,
            ));
        }
        let rows = c
            .events
            .iter()
            .map(|e| {
                vec![
                    cell(wib::date_time(e.at)),
                    cell(e.assurance.clone()),
                    cell(e.method.clone()),
                    cell(e.actor.clone()),
                    cell(e.place.clone()),
                    cell(e.note.clone()),
                ]
            })
            .collect();
        page = page.push(table(
            "assurance-history",
            who.tr("Riwayat verifikasi", "Verification history"),
            &[
                who.tr("Waktu", "When"),
                who.tr("Status", "Status"),
                who.tr("Cara", "Method"),
                who.tr("Oleh", "By"),
                who.tr("Tempat", "Place"),
                who.tr("Catatan", "Note"),
            ],
            rows,
            None,
        ));
    }
    page.answer(state, who, refused)
}
