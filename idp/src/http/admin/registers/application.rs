//! The application register's pages (Pasal 7-10): list, create, one application with the
//! documentation checklist of Pasal 8(2) (links, uploaded files, who checked), edit.

use axum::extract::State;
use axum::http::HeaderMap;
use gerbang_core::store::Cursor;
use serde_json::Value;

use super::super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, search, see, table};
use crate::admin::application::{ApplicationInput, DOC_ITEMS, DocUpdate, FUNDING, ONBOARDING};
use crate::admin::{Role, target};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

use super::{ListQuery, Page, input, opd_options, opts};

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
    page.answer(state, who, error.is_some())
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
    let mut checkers: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for id in docs.iter().filter_map(|d| d.checked_by.clone()) {
        if let std::collections::hash_map::Entry::Vacant(slot) = checkers.entry(id.clone()) {
            let account = state.accounts.by_id(&id).await.map_err(|e| PageError::from_account(e, who.lang()))?;
            slot.insert(account.map(|a| a.display_name).unwrap_or(id));
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
                        let by = d.checked_by.as_ref().and_then(|id| checkers.get(id)).cloned().unwrap_or_default();
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
    page.push(history(who, &hist)).answer(state, who, error.is_some())
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
    Ok(super::super::audit::download(data, "application/octet-stream", &name))
}
