//! Accounts for administrators: search by NIP, NIK or name prefix; one account's OPD and roles.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::super::{AdminPage, Field, FormData, P, Q, Who, cell, enc, facts, form, history, link, search, see, table};
use crate::admin::Role;
use crate::http::lang::UiLang;
use crate::state::AppState;

use super::{ListQuery, Page, opd_options};

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
    page.push(history(who, &hist)).answer(state, who, error.is_some())
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
