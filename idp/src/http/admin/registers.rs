//! Register pages: the overview, OPDs, applications (with the documentation checklist),
//! domains, networks, data groups with their stewards, and accounts.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use gerbang_core::store::Cursor;
use serde_json::Value;

use super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, search, see, table, text};
use crate::admin::application::{ApplicationInput, DOC_ITEMS, DocUpdate, FUNDING, ONBOARDING};
use crate::admin::domain::DomainInput;
use crate::admin::network::NetworkInput;
use crate::admin::opd::{KINDS as OPD_KINDS, OpdInput};
use crate::admin::stewardship::StewardInput;
use crate::admin::{Role, target};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

type Page = Result<Response, PageError>;

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    after_key: String,
}

fn input<T: serde::de::DeserializeOwned>(f: &FormData) -> Result<T, PageError> {
    serde_json::from_value(f.json()).map_err(|_| PageError::BadForm)
}

pub async fn overview(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/admin");
    if !(who.principal.has(Role::Admin) || who.principal.has(Role::Auditor)) {
        // Developers and stewards have their own start pages.
        if who.principal.has(Role::Developer) {
            return Ok(see("/portal"));
        }
        if who.principal.is_steward() {
            return Ok(see("/wali-data"));
        }
        return Err(PageError::Forbidden);
    }
    let pending = state.admin.registrations(&who.principal, "pending", None).await.map_err(|e| who.err(e))?;
    let verified = state.admin.verify_audit(&who.principal).await.map_err(|e| who.err(e))?;
    let chain = match verified {
        Ok(n) => format!("{} ({n})", who.tr("utuh", "intact")),
        Err(seq) => format!("{} #{seq}", who.tr("RUSAK pada catatan", "BROKEN at record")),
    };
    let items = vec![
        (who.tr("Permintaan klien menunggu", "Client requests waiting").to_string(), pending.len().to_string()),
        (who.tr("Rantai log audit", "Audit log chain").to_string(), chain),
        (who.tr("Peran Anda", "Your roles").to_string(), who.principal.roles.join(", ")),
    ];
    AdminPage::new("admin-home", "home", who.tr("Modul admin Gerbang", "Gerbang admin module"))
        .push(facts("summary", "", items))
        .push(text(who.tr(
            "Register kota menurut Perwako 18/2018: OPD, aplikasi (Pasal 7-10), domain (Pasal 11), jaringan (Pasal 5), kelompok data dan Wali Data (Pasal 12), serta laporan (Pasal 24).",
            "The city's registers under Perwako 18/2018: OPDs, applications (Art. 7-10), domains (Art. 11), networks (Art. 5), data groups and stewards (Art. 12), and reports (Art. 24).",
        )))
        .render(&state, &who, StatusCode::OK)
}

async fn opd_options(state: &AppState, who: &Who, empty: bool) -> Result<Vec<(String, String)>, PageError> {
    let mut out: Vec<(String, String)> = if empty { vec![(String::new(), "—".into())] } else { vec![] };
    out.extend(
        state
            .admin
            .all_opds()
            .await
            .map_err(|e| who.err(e))?
            .into_iter()
            .filter(|o| o.status == "active")
            .map(|o| (o.id, o.name)),
    );
    Ok(out)
}

fn opts(values: &[&str]) -> Vec<(String, String)> {
    values.iter().map(|v| (v.to_string(), v.replace('_', " "))).collect()
}

// ---- OPD ----

fn opd_fields(who: &Who, v: &Value, create: bool) -> Vec<Field> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut f = Vec::new();
    if create {
        f.push(
            Field::text("id", who.tr("Kode", "Code"), &s("id"))
                .required()
                .help(who.tr("mis. disdukcapil", "e.g. disdukcapil")),
        );
    }
    f.push(Field::text("name", who.tr("Nama", "Name"), &s("name")).required());
    f.push(Field::select("kind", who.tr("Jenis", "Kind"), &s("kind"), opts(OPD_KINDS)));
    f.push(Field::select("status", "Status", &s("status"), opts(&["active", "retired"])));
    f
}

pub async fn opd_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/opd");
    opd_list_page(&state, &who, &q, None, &serde_json::json!({})).await
}

async fn opd_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let cursor = Cursor { key: q.after_key.clone(), id: q.after.clone() };
    let items = state.admin.opds(&who.principal, &q.q, &cursor).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE).then(|| {
        let l = items.last().map(|o| (o.name_key.clone(), o.id.clone())).unwrap_or_default();
        format!("/admin/opd?q={}&after_key={}&after={}", enc(&q.q), enc(&l.0), enc(&l.1))
    });
    let rows = items
        .iter()
        .map(|o| {
            vec![
                link(o.id.clone(), format!("/admin/opd/{}", enc(&o.id))),
                cell(o.name.clone()),
                cell(o.kind.clone()),
                cell(o.status.clone()),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-opd", "opd", "OPD")
        .push(search("/admin/opd", who.tr("Cari nama OPD", "Search OPD name"), &q.q, "dinas …"))
        .push(table(
            "opds",
            "",
            &[who.tr("Kode", "Code"), who.tr("Nama", "Name"), who.tr("Jenis", "Kind"), "Status"],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        page = page.push(form(
            "opd-new",
            who.tr("Tambah OPD", "Add an OPD"),
            "/admin/opd",
            opd_fields(who, values, true),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.render(state, who, if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK })
}

pub async fn opd_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/opd");
    who.check(&headers, &f, state.secure_cookies)?;
    let input: OpdInput = input(&f)?;
    match state.admin.create_opd(&who.principal, &input).await {
        Ok(o) => Ok(see(&format!("/admin/opd/{}", enc(&o.id)))),
        Err(e) => opd_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn opd_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/opd/{}", enc(&id)));
    opd_show_page(&state, &who, &id, None, None).await
}

async fn opd_show_page(state: &AppState, who: &Who, id: &str, error: Option<String>, values: Option<Value>) -> Page {
    let o = state.admin.opd(&who.principal, id).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(o));
    let hist = state.admin.history(&who.principal, &target("opd", id)).await.map_err(|e| who.err(e))?;
    let mut page = AdminPage::new("admin-opd-record", "opd", format!("OPD: {}", o.name)).push(facts(
        "record",
        "",
        vec![(who.tr("Kode", "Code").into(), o.id.clone()), (who.tr("Nama", "Name").into(), o.name.clone())],
    ));
    if who.principal.has(Role::Admin) {
        page = page.push(form(
            "opd-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/opd/{}", enc(id)),
            opd_fields(who, &values, false),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.push(history(who, &hist)).render(
        state,
        who,
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
    )
}

pub async fn opd_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/opd/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_opd(&who.principal, &id, &input(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/opd/{}", enc(&id)))),
        Err(e) => opd_show_page(&state, &who, &id, Some(who.form_error(e)?), Some(f.json())).await,
    }
}

// ---- Applications ----

async fn app_fields(state: &AppState, who: &Who, v: &Value, create: bool) -> Result<Vec<Field>, PageError> {
    let s =
        |k: &str| v.get(k).map(|x| x.as_str().map(String::from).unwrap_or_else(|| x.to_string())).unwrap_or_default();
    let mut f = Vec::new();
    if create {
        f.push(Field::text("id", who.tr("Kode", "Code"), &s("id")).required());
    }
    f.push(Field::text("name", who.tr("Nama aplikasi", "Application name"), &s("name")).required());
    f.push(Field::select("kind", who.tr("Jenis (Pasal 7)", "Kind (Art. 7)"), &s("kind"), opts(&["umum", "khusus"])));
    f.push(Field::select(
        "opd_id",
        who.tr("OPD pemilik", "Owning OPD"),
        &s("opd_id"),
        opd_options(state, who, false).await?,
    ));
    f.push(Field::select("funding", who.tr("Sumber dana", "Funding source"), &s("funding"), opts(FUNDING)));
    f.push(Field::text("funding_note", who.tr("Keterangan sumber dana", "Funding note"), &s("funding_note")));
    let copyright = matches!(v.get("city_copyright"), Some(Value::Bool(true))) || s("city_copyright") == "on";
    f.push(Field::checkbox(
        "city_copyright",
        who.tr("Hak cipta milik Pemerintah Kota (Pasal 8 ayat 3)", "Copyright belongs to the city (Art. 8(3))"),
        copyright,
    ));
    f.push(Field::select(
        "onboarding",
        who.tr("Status SSO (Pasal 7 ayat 5)", "SSO onboarding (Art. 7(5))"),
        &s("onboarding"),
        opts(ONBOARDING),
    ));
    f.push(Field::text("url", "URL", &s("url")).kind("url"));
    f.push(Field::text("description", who.tr("Keterangan", "Description"), &s("description")).kind("textarea"));
    Ok(f)
}

pub async fn app_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/aplikasi");
    app_list_page(&state, &who, &q, None, &serde_json::json!({ "city_copyright": true })).await
}

async fn app_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let cursor = Cursor { key: q.after_key.clone(), id: q.after.clone() };
    let items = state.admin.applications(&who.principal, &q.q, "", &cursor).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE).then(|| {
        let l = items.last().map(|o| (o.name_key.clone(), o.id.clone())).unwrap_or_default();
        format!("/admin/aplikasi?q={}&after_key={}&after={}", enc(&q.q), enc(&l.0), enc(&l.1))
    });
    let rows = items
        .iter()
        .map(|a| {
            vec![
                link(a.name.clone(), format!("/admin/aplikasi/{}", enc(&a.id))),
                cell(a.kind.clone()),
                cell(a.opd_id.clone()),
                cell(a.funding.clone()),
                cell(who.code(&a.onboarding)),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-apps", "aplikasi", who.tr("Aplikasi", "Applications"))
        .push(search("/admin/aplikasi", who.tr("Cari nama aplikasi", "Search application name"), &q.q, "aplikasi …"))
        .push(table(
            "applications",
            "",
            &[who.tr("Nama", "Name"), who.tr("Jenis", "Kind"), "OPD", who.tr("Dana", "Funding"), "SSO"],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        page = page.push(form(
            "app-new",
            who.tr("Daftarkan aplikasi", "Register an application"),
            "/admin/aplikasi",
            app_fields(state, who, values, true).await?,
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.render(state, who, if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK })
}

pub async fn app_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/aplikasi");
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.create_application(&who.principal, &input::<ApplicationInput>(&f)?).await {
        Ok(a) => Ok(see(&format!("/admin/aplikasi/{}", enc(&a.id)))),
        Err(e) => app_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn app_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/aplikasi/{}", enc(&id)));
    app_show_page(&state, &who, &id, None, None).await
}

fn doc_label(who: &Who, item: &str) -> &'static str {
    match item {
        "source_code" => who.tr("Kode sumber", "Source code"),
        "user_requirements" => who.tr("Kebutuhan pengguna", "User requirements"),
        "design" => who.tr("Desain aplikasi dan basis data", "Application and database design"),
        "testing" => who.tr("Hasil pengujian", "Testing"),
        "installation_manual" => who.tr("Manual instalasi", "Installation manual"),
        "user_manual" => who.tr("Manual pengguna", "User manual"),
        "admin_manual" => who.tr("Manual administrator", "Administrator manual"),
        "metadata" => "Metadata",
        _ => who.tr("Penanganan masalah", "Troubleshooting"),
    }
}

async fn app_show_page(state: &AppState, who: &Who, id: &str, error: Option<String>, values: Option<Value>) -> Page {
    let a = state.admin.application(&who.principal, id).await.map_err(|e| who.err(e))?;
    let docs = state.admin.application_docs(&who.principal, id).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(a));
    let hist = state.admin.history(&who.principal, &target("application", id)).await.map_err(|e| who.err(e))?;
    // Who checked each item, by name rather than account id.
    let mut checkers = std::collections::HashMap::new();
    for id in docs.iter().filter_map(|d| d.checked_by.clone()) {
        if !checkers.contains_key(&id) {
            let account = state.accounts.by_id(&id).await.map_err(|e| PageError::from_account(e, who.lang()))?;
            let name = account.map(|a| a.display_name).unwrap_or_else(|| id.clone());
            checkers.insert(id, name);
        }
    }
    let rows = DOC_ITEMS
        .iter()
        .map(|item| {
            let d = docs.iter().find(|d| d.item == *item);
            let given = match d {
                Some(d) if d.link.is_some() => {
                    link(d.link.clone().unwrap_or_default(), d.link.clone().unwrap_or_default())
                }
                Some(d) if d.file_name.is_some() => {
                    link(d.file_name.clone().unwrap_or_default(), format!("/admin/aplikasi/{}/dokumen/{item}", enc(id)))
                }
                _ => cell("—"),
            };
            let checked = d
                .and_then(|d| {
                    d.checked_at.map(|t| {
                        let by: String = d
                            .checked_by
                            .as_ref()
                            .and_then(|id| checkers.get(id))
                            .map(String::clone)
                            .unwrap_or_default();
                        format!("{by} · {}", crate::wib::date_time(t))
                    })
                })
                .unwrap_or_else(|| "—".into());
            vec![cell(doc_label(who, item)), given, cell(checked)]
        })
        .collect();
    let complete = docs.iter().filter(|d| d.checked_at.is_some()).count();
    let mut page =
        AdminPage::new("admin-app-record", "aplikasi", format!("{}: {}", who.tr("Aplikasi", "Application"), a.name))
            .push(facts(
                "record",
                "",
                vec![
                    (who.tr("Kode", "Code").into(), a.id.clone()),
                    ("OPD".into(), a.opd_id.clone()),
                    (
                        who.tr("Dokumentasi diperiksa", "Documentation checked").into(),
                        format!("{complete}/{}", DOC_ITEMS.len()),
                    ),
                ],
            ))
            .push(table(
                "docs",
                who.tr("Dokumentasi (Pasal 8 ayat 2)", "Documentation (Art. 8(2))"),
                &[
                    who.tr("Butir", "Item"),
                    who.tr("Tautan / berkas", "Link / file"),
                    who.tr("Diperiksa oleh", "Checked by"),
                ],
                rows,
                None,
            ));
    if who.principal.has(Role::Admin) {
        let items: Vec<(String, String)> =
            DOC_ITEMS.iter().map(|i| (i.to_string(), doc_label(who, i).to_string())).collect();
        let mut doc_form = form(
            "doc-set",
            who.tr("Isi butir dokumentasi", "Set a documentation item"),
            &format!("/admin/aplikasi/{}/dokumen", enc(id)),
            vec![
                Field::select("item", who.tr("Butir", "Item"), "", items),
                Field::text("link", who.tr("Tautan", "Link"), "").kind("url"),
                Field::text("file", who.tr("atau unggah berkas", "or upload a file"), "").kind("file").help(&format!(
                    "{} {} MiB",
                    who.tr("Paling besar", "At most"),
                    crate::admin::application::MAX_DOC_BYTES >> 20
                )),
                Field::checkbox("checked", who.tr("Sudah saya periksa", "I have checked it"), false),
            ],
            who.tr("Simpan butir", "Save item"),
            None,
        );
        doc_form["enctype"] = serde_json::json!("multipart/form-data");
        page = page.push(doc_form).push(form(
            "app-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/aplikasi/{}", enc(id)),
            app_fields(state, who, &values, false).await?,
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.push(history(who, &hist)).render(
        state,
        who,
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
    )
}

pub async fn app_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/aplikasi/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_application(&who.principal, &id, &input::<ApplicationInput>(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/aplikasi/{}", enc(&id)))),
        Err(e) => app_show_page(&state, &who, &id, Some(who.form_error(e)?), Some(f.json())).await,
    }
}

pub async fn app_doc(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/aplikasi/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    let change = DocUpdate {
        link: f.get("link").into(),
        file: f.file("file").map(|u| (u.file_name.clone(), u.bytes.clone())),
        checked: f.has("checked"),
    };
    let result = state.admin.update_doc(&who.principal, &id, f.get("item"), &change).await;
    match result {
        Ok(()) => Ok(see(&format!("/admin/aplikasi/{}", enc(&id)))),
        Err(e) => app_show_page(&state, &who, &id, Some(who.form_error(e)?), None).await,
    }
}

pub async fn app_doc_file(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P((id, item)): P<(String, String)>,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/aplikasi/{}", enc(&id)));
    let (name, data) = state.admin.doc_file(&who.principal, &id, &item).await.map_err(|e| who.err(e))?;
    Ok(super::audit::download(data, "application/octet-stream", &name))
}

// ---- Domains ----

fn domain_fields(who: &Who, v: &Value, opds: Vec<(String, String)>, create: bool) -> Vec<Field> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut f = Vec::new();
    if create {
        f.push(
            Field::text("name", who.tr("Nama domain", "Domain name"), &s("name"))
                .required()
                .help("dukcapil.padangpanjang.go.id"),
        );
    }
    f.push(Field::select("opd_id", "OPD", &s("opd_id"), opds));
    f.push(
        Field::text("decree_number", who.tr("Nomor Keputusan Walikota", "Mayoral decree number"), &s("decree_number"))
            .required(),
    );
    f.push(
        Field::text("decree_date", who.tr("Tanggal keputusan", "Decree date"), &s("decree_date"))
            .kind("date")
            .required(),
    );
    f.push(Field::select("status", "Status", &s("status"), opts(&["active", "retired"])));
    f.push(Field::text("note", who.tr("Catatan", "Note"), &s("note")));
    f
}

pub async fn domain_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/domain");
    domain_list_page(&state, &who, &q, None, &serde_json::json!({})).await
}

async fn domain_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let items = state.admin.domains(&who.principal, &q.q, &q.after).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE).then(|| {
        format!(
            "/admin/domain?q={}&after={}",
            enc(&q.q),
            enc(&items.last().map(|d| d.name.clone()).unwrap_or_default())
        )
    });
    let rows = items
        .iter()
        .map(|d| {
            vec![
                link(d.name.clone(), format!("/admin/domain/{}", enc(&d.name))),
                cell(d.opd_id.clone().unwrap_or_default()),
                cell(d.decree_number.clone()),
                cell(d.decree_date.clone()),
                cell(d.status.clone()),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-domains", "domain", who.tr("Domain (Pasal 11)", "Domains (Art. 11)"))
        .push(search("/admin/domain", who.tr("Cari domain", "Search domains"), &q.q, "padangpanjang.go.id"))
        .push(table(
            "domains",
            "",
            &[who.tr("Domain", "Domain"), "OPD", who.tr("Keputusan", "Decree"), who.tr("Tanggal", "Date"), "Status"],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, true).await?;
        page = page.push(form(
            "domain-new",
            who.tr("Daftarkan domain", "Register a domain"),
            "/admin/domain",
            domain_fields(who, values, opds, true),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.render(state, who, if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK })
}

pub async fn domain_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/domain");
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.create_domain(&who.principal, &input::<DomainInput>(&f)?).await {
        Ok(d) => Ok(see(&format!("/admin/domain/{}", enc(&d.name)))),
        Err(e) => domain_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn domain_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(name): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/domain/{}", enc(&name)));
    domain_show_page(&state, &who, &name, None, None).await
}

async fn domain_show_page(
    state: &AppState,
    who: &Who,
    name: &str,
    error: Option<String>,
    values: Option<Value>,
) -> Page {
    let d = state.admin.domain(&who.principal, name).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(d));
    let hist = state.admin.history(&who.principal, &target("domain", name)).await.map_err(|e| who.err(e))?;
    let mut page = AdminPage::new("admin-domain-record", "domain", format!("Domain: {}", d.name));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, true).await?;
        page = page.push(form(
            "domain-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/domain/{}", enc(name)),
            domain_fields(who, &values, opds, false),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    } else {
        page = page.push(facts(
            "record",
            "",
            vec![
                ("OPD".into(), d.opd_id.clone().unwrap_or_default()),
                (who.tr("Keputusan", "Decree").into(), format!("{} ({})", d.decree_number, d.decree_date)),
            ],
        ));
    }
    page.push(history(who, &hist)).render(
        state,
        who,
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
    )
}

pub async fn domain_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(name): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/domain/{}", enc(&name)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_domain(&who.principal, &name, &input::<DomainInput>(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/domain/{}", enc(&name)))),
        Err(e) => domain_show_page(&state, &who, &name, Some(who.form_error(e)?), Some(f.json())).await,
    }
}

// ---- Networks ----

fn network_fields(who: &Who, v: &Value, opds: Vec<(String, String)>, create: bool) -> Vec<Field> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut f = Vec::new();
    if create {
        f.push(
            Field::text("id", who.tr("Kode", "Code"), &s("id"))
                .required()
                .help(who.tr("dipakai di routes.toml (networks = [...])", "used in routes.toml (networks = [...])")),
        );
    }
    f.push(Field::text("name", who.tr("Nama", "Name"), &s("name")).required());
    f.push(Field::select("opd_id", "OPD", &s("opd_id"), opds));
    f.push(
        Field::text("cidrs", who.tr("Rentang CIDR (satu per baris)", "CIDR ranges (one per line)"), &s("cidrs"))
            .kind("textarea")
            .required(),
    );
    let city = matches!(v.get("city"), Some(Value::Bool(true))) || s("city") == "on";
    f.push(Field::checkbox(
        "city",
        who.tr("Bagian jaringan kota (untuk tingkat rahasia)", "Part of the city network (for level rahasia)"),
        city,
    ));
    f
}

pub async fn network_list(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/jaringan");
    network_list_page(&state, &who, &q, None, &serde_json::json!({ "city": true })).await
}

async fn network_list_page(state: &AppState, who: &Who, q: &ListQuery, error: Option<String>, values: &Value) -> Page {
    let items = state.admin.networks(&who.principal, &q.after).await.map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE)
        .then(|| format!("/admin/jaringan?after={}", enc(&items.last().map(|d| d.id.clone()).unwrap_or_default())));
    let rows = items
        .iter()
        .map(|n| {
            vec![
                link(n.id.clone(), format!("/admin/jaringan/{}", enc(&n.id))),
                cell(n.name.clone()),
                cell(n.opd_id.clone()),
                cell(n.cidrs.replace('\n', ", ")),
                cell(if n.city { "✓" } else { "—" }),
            ]
        })
        .collect();
    let mut page = AdminPage::new("admin-networks", "jaringan", who.tr("Jaringan (Pasal 5)", "Networks (Art. 5)"))
        .push(table(
            "networks",
            "",
            &[who.tr("Kode", "Code"), who.tr("Nama", "Name"), "OPD", "CIDR", who.tr("Kota", "City")],
            rows,
            next,
        ));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, false).await?;
        page = page.push(form(
            "network-new",
            who.tr("Daftarkan jaringan", "Register a network"),
            "/admin/jaringan",
            network_fields(who, values, opds, true),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.render(state, who, if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK })
}

pub async fn network_create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/jaringan");
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.create_network(&who.principal, &input::<NetworkInput>(&f)?).await {
        Ok(n) => Ok(see(&format!("/admin/jaringan/{}", enc(&n.id)))),
        Err(e) => network_list_page(&state, &who, &ListQuery::default(), Some(who.form_error(e)?), &f.json()).await,
    }
}

pub async fn network_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/jaringan/{}", enc(&id)));
    network_show_page(&state, &who, &id, None, None).await
}

async fn network_show_page(
    state: &AppState,
    who: &Who,
    id: &str,
    error: Option<String>,
    values: Option<Value>,
) -> Page {
    let n = state.admin.network(&who.principal, id).await.map_err(|e| who.err(e))?;
    let values = values.unwrap_or_else(|| serde_json::json!(n));
    let hist = state.admin.history(&who.principal, &target("network", id)).await.map_err(|e| who.err(e))?;
    let mut page =
        AdminPage::new("admin-network-record", "jaringan", format!("{}: {}", who.tr("Jaringan", "Network"), n.name))
            .push(facts(
                "record",
                "",
                vec![("CIDR".into(), n.cidrs.replace('\n', ", ")), ("OPD".into(), n.opd_id.clone())],
            ));
    if who.principal.has(Role::Admin) {
        let opds = opd_options(state, who, false).await?;
        page = page.push(form(
            "network-edit",
            who.tr("Ubah", "Edit"),
            &format!("/admin/jaringan/{}", enc(id)),
            network_fields(who, &values, opds, false),
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.push(history(who, &hist)).render(
        state,
        who,
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
    )
}

pub async fn network_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/jaringan/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    match state.admin.update_network(&who.principal, &id, &input::<NetworkInput>(&f)?).await {
        Ok(_) => Ok(see(&format!("/admin/jaringan/{}", enc(&id)))),
        Err(e) => network_show_page(&state, &who, &id, Some(who.form_error(e)?), Some(f.json())).await,
    }
}

// ---- Data groups and stewards ----

pub async fn groups(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/admin/kelompok-data");
    groups_page(&state, &who, None).await
}

async fn groups_page(state: &AppState, who: &Who, error: Option<String>) -> Page {
    who.principal.require_reader().map_err(|e| who.err(e))?;
    let groups = state.admin.data_groups(&who.principal).await.map_err(|e| who.err(e))?;
    let claims = state.admin.claim_groups().await.map_err(|e| who.err(e))?;
    let rows = groups
        .iter()
        .map(|g| {
            let owned: Vec<&str> = claims.iter().filter(|(_, gid)| *gid == g.id).map(|(c, _)| c.as_str()).collect();
            vec![
                cell(g.letter.clone()),
                cell(g.name.clone()),
                cell(owned.join(", ")),
                cell(g.steward_id.clone().unwrap_or_else(|| "—".into())),
                cell(g.decree_ref.clone()),
            ]
        })
        .collect();
    let mut page = AdminPage::new(
        "admin-groups",
        "kelompok-data",
        who.tr("Kelompok data dan Wali Data (Pasal 12)", "Data groups and stewards (Art. 12)"),
    )
    .push(table(
        "groups",
        "",
        &[
            who.tr("Huruf", "Letter"),
            who.tr("Kelompok", "Group"),
            who.tr("Klaim", "Claims"),
            "Wali Data",
            who.tr("Keputusan", "Decree"),
        ],
        rows,
        None,
    ));
    if who.principal.has(Role::Admin) {
        let options = groups.iter().map(|g| (g.id.clone(), format!("{}. {}", g.letter, g.name))).collect();
        page = page.push(form(
            "steward-appoint",
            who.tr("Tetapkan Wali Data", "Appoint a steward"),
            "/admin/kelompok-data",
            vec![
                Field::select("group", who.tr("Kelompok data", "Data group"), "", options),
                Field::text(
                    "steward_nip",
                    who.tr("NIP Wali Data (kosongkan untuk mencabut)", "Steward's NIP (empty to remove)"),
                    "",
                ),
                Field::text("decree_ref", who.tr("Keputusan Walikota", "Mayoral decree"), ""),
            ],
            who.tr("Tetapkan", "Appoint"),
            error.clone(),
        ));
    }
    page.render(state, who, if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK })
}

pub async fn appoint(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/admin/kelompok-data");
    who.check(&headers, &f, state.secure_cookies)?;
    let input = StewardInput { steward_nip: f.get("steward_nip").into(), decree_ref: f.get("decree_ref").into() };
    match state.admin.appoint_steward(&who.principal, f.get("group"), &input).await {
        Ok(_) => Ok(see("/admin/kelompok-data")),
        Err(e) => groups_page(&state, &who, Some(who.form_error(e)?)).await,
    }
}

// ---- Accounts ----

pub async fn accounts(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, Q(q): Q<ListQuery>) -> Page {
    let who = who!(state, headers, ui, "/admin/akun");
    let items = if q.q.trim().is_empty() {
        Vec::new()
    } else {
        state.admin.search_accounts(&who.principal, &q.q, &q.after_key, &q.after).await.map_err(|e| who.err(e))?
    };
    who.principal.require_reader().map_err(|e| who.err(e))?;
    let next = (items.len() as i64 >= crate::admin::PAGE).then(|| {
        let l = items.last().map(|a| (a.name_key.clone(), a.id.clone())).unwrap_or_default();
        format!("/admin/akun?q={}&after_key={}&after={}", enc(&q.q), enc(&l.0), enc(&l.1))
    });
    let rows = items
        .iter()
        .map(|a| {
            vec![
                link(a.display_name.clone(), format!("/admin/akun/{}", enc(&a.id))),
                cell(a.kind.as_str()),
                cell(a.identifier.clone()),
                cell(a.opd_id.clone().unwrap_or_default()),
                cell(a.status.as_str()),
            ]
        })
        .collect();
    AdminPage::new("admin-accounts", "akun", who.tr("Akun", "Accounts"))
        .push(search(
            "/admin/akun",
            who.tr("Cari: awal nama, NIP, atau NIK", "Search: start of name, NIP or NIK"),
            &q.q,
            "Siti …",
        ))
        .push(table(
            "accounts",
            "",
            &[who.tr("Nama", "Name"), who.tr("Jenis", "Kind"), "NIP/NIK", "OPD", "Status"],
            rows,
            next,
        ))
        .render(&state, &who, StatusCode::OK)
}

pub async fn account_show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/akun/{}", enc(&id)));
    account_page(&state, &who, &id, None).await
}

async fn account_page(state: &AppState, who: &Who, id: &str, error: Option<String>) -> Page {
    let v = state.admin.account(&who.principal, id).await.map_err(|e| who.err(e))?;
    let hist = state.admin.history(&who.principal, id).await.map_err(|e| who.err(e))?;
    let mut page = AdminPage::new(
        "admin-account-record",
        "akun",
        format!("{}: {}", who.tr("Akun", "Account"), v.account.display_name),
    )
    .push(facts(
        "record",
        "",
        vec![
            (who.tr("Jenis", "Kind").into(), v.account.kind.as_str().into()),
            ("NIP / NIK".into(), v.nip.clone().or(v.nik_masked.clone()).unwrap_or_default()),
            ("Status".into(), v.account.status.as_str().into()),
            (who.tr("Peran", "Roles").into(), v.roles.join(", ")),
        ],
    ));
    if who.principal.has(Role::Admin) {
        let mut fields = vec![Field::select(
            "opd_id",
            "OPD",
            v.account.opd_id.as_deref().unwrap_or(""),
            opd_options(state, who, true).await?,
        )];
        for r in crate::admin::account::grantable_roles() {
            fields.push(Field::checkbox_value("roles", r, r, v.roles.iter().any(|x| x == r)));
        }
        page = page.push(form(
            "account-edit",
            who.tr("OPD dan peran", "OPD and roles"),
            &format!("/admin/akun/{}", enc(id)),
            fields,
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.push(history(who, &hist)).render(
        state,
        who,
        if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK },
    )
}

pub async fn account_update(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/admin/akun/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    let input = crate::admin::account::AccountInput { opd_id: f.get("opd_id").into(), roles: f.all("roles") };
    match state.admin.update_account(&who.principal, &id, &input).await {
        Ok(()) => Ok(see(&format!("/admin/akun/{}", enc(&id)))),
        Err(e) => account_page(&state, &who, &id, Some(who.form_error(e)?)).await,
    }
}
