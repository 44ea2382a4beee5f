//! The developer portal (`/portal`): a developer's registrations, a new registration (the secret
//! shown once), and for a live client: a new secret and changes of its redirect URIs.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::{AdminPage, Field, FormData, P, Who, enc, form};
use crate::admin::registration::{ClaimAsk, RegistrationInput};
use crate::http::error::PageError;
use crate::http::lang::UiLang;
use crate::state::AppState;

type Page = Result<Response, PageError>;

pub async fn home(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/portal");
    let mine = state.admin.registrations(&who.principal, "", None).await.map_err(|e| who.err(e))?;
    let mine: Vec<_> = mine.into_iter().filter(|v| v.record.developer_id == who.principal.id()).collect();
    AdminPage::new("portal-home", "portal", who.tr("Portal pengembang", "Developer portal"))
        .push(json!({ "kind": "links", "title": "", "items": [{ "href": "/portal/baru", "label": who.tr("Daftarkan klien OIDC baru", "Register a new OIDC client"), "id": "new-client" }] }))
        .push(super::clients::registrations_table(&who, &mine, "/portal"))
        .render(&state, &who, StatusCode::OK)
}

async fn new_form(state: &AppState, who: &Who, error: Option<String>, f: Option<&FormData>) -> Page {
    let apps = state.admin.open_applications(&who.principal).await.map_err(|e| who.err(e))?;
    let claims = state.admin.claim_groups().await.map_err(|e| who.err(e))?;
    let get = |k: &str| f.map(|f| f.get(k).to_string()).unwrap_or_default();
    let mut fields = vec![
        Field::select(
            "application_id",
            who.tr("Aplikasi", "Application"),
            &get("application_id"),
            apps.into_iter().map(|a| (a.id, a.name)).collect(),
        ),
        Field::text("name", who.tr("Nama klien", "Client name"), &get("name")).required(),
        Field::select(
            "kind",
            who.tr("Jenis klien", "Client kind"),
            &get("kind"),
            vec![
                (
                    "confidential".into(),
                    who.tr("Rahasia (server dengan client secret)", "Confidential (a server with a client secret)")
                        .into(),
                ),
                (
                    "public".into(),
                    who.tr("Publik (aplikasi peramban/seluler, PKCE)", "Public (browser/mobile app, PKCE)").into(),
                ),
            ],
        ),
        Field::text(
            "redirect_uris",
            who.tr(
                "Redirect URI (satu per baris, pada domain terdaftar)",
                "Redirect URIs (one per line, on a registered domain)",
            ),
            &get("redirect_uris"),
        )
        .kind("textarea")
        .required(),
        Field::text("logo", who.tr("Logo (PNG atau JPEG, opsional)", "Logo (PNG or JPEG, optional)"), "")
            .kind("file")
            .help(&format!(
                "{} {} KiB",
                who.tr("Paling besar", "At most"),
                crate::admin::registration::MAX_LOGO_BYTES >> 10
            )),
        Field::text(
            "backchannel_logout_uri",
            who.tr("Back-channel logout URI (opsional)", "Back-channel logout URI (optional)"),
            &get("backchannel_logout_uri"),
        )
        .kind("url"),
    ];
    for (claim, group) in &claims {
        let name: &'static str = match claim.as_str() {
            "nik" => "purpose_nik",
            "nip" => "purpose_nip",
            "roles" => "purpose_roles",
            _ => continue,
        };
        let shown = if claim == "nip" { "nip» + «opd".to_string() } else { claim.clone() };
        fields.push(
            Field::text(
                name,
                &format!("{} «{shown}» ({group})", who.tr("Tujuan penggunaan klaim", "Purpose of the claim")),
                &get(name),
            )
            .help(who.tr(
                "Kosongkan bila tidak perlu. Wali Data kelompoknya yang memutuskan.",
                "Leave empty if not needed. The steward of its group decides.",
            )),
        );
    }
    let mut f = form("registration", "", "/portal/baru", fields, who.tr("Ajukan", "Submit"), error.clone());
    f["enctype"] = json!("multipart/form-data");
    AdminPage::new("portal-new", "portal", who.tr("Daftarkan klien OIDC", "Register an OIDC client")).push(f).answer(
        state,
        who,
        error.is_some(),
    )
}

pub async fn new_page(State(state): State<AppState>, ui: UiLang, headers: HeaderMap) -> Page {
    let who = who!(state, headers, ui, "/portal/baru");
    new_form(&state, &who, None, None).await
}

pub async fn create(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, f: FormData) -> Page {
    let who = who!(state, headers, ui, "/portal/baru");
    who.check(&headers, &f, state.secure_cookies)?;
    let claims = ["nik", "nip", "roles"]
        .iter()
        .filter(|c| !f.get(&format!("purpose_{c}")).trim().is_empty())
        .map(|c| ClaimAsk { claim: c.to_string(), purpose: f.get(&format!("purpose_{c}")).into() })
        .collect();
    let input = RegistrationInput {
        application_id: f.get("application_id").into(),
        name: f.get("name").into(),
        kind: f.get("kind").into(),
        redirect_uris: f.get("redirect_uris").into(),
        backchannel_logout_uri: f.get("backchannel_logout_uri").into(),
        claims,
        logo: f.file("logo").map(|u| u.bytes.clone()),
    };
    match state.admin.register_client(&who.principal, &input).await {
        Ok((view, secret)) => {
            let mut page =
                AdminPage::new("portal-created", "portal", who.tr("Permintaan terkirim", "Request submitted"));
            page.notice = Some(
                who.tr(
                    "Permintaan Anda menunggu persetujuan admin dan Wali Data.",
                    "Your request is waiting for the administrator's and the stewards' approval.",
                )
                .into(),
            );
            for b in super::clients::registration_facts(&who, &view) {
                page = page.push(b);
            }
            if let Some(secret) = secret {
                page = page.push(json!({ "kind": "secret", "label": "client_secret", "value": secret,
                    "help": who.tr("Simpan sekarang: rahasia ini hanya ditampilkan sekali dan disimpan dalam bentuk hash.", "Store it now: this secret is shown once and kept only as a hash.") }));
            }
            page.push(json!({ "kind": "links", "title": "", "items": [{ "href": format!("/portal/{}", enc(&view.record.id)), "label": who.tr("Lihat status", "See its status"), "id": "to-status" }] }))
                .render(&state, &who, StatusCode::CREATED)
        }
        Err(e) => new_form(&state, &who, Some(who.form_error(e)?), Some(&f)).await,
    }
}

pub async fn show(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/portal/{}", enc(&id)));
    show_page(&state, &who, &id, None, None).await
}

async fn show_page(state: &AppState, who: &Who, id: &str, error: Option<String>, secret: Option<String>) -> Page {
    let v = state.admin.registration(&who.principal, id).await.map_err(|e| who.err(e))?;
    let mut page =
        AdminPage::new("portal-record", "portal", format!("{}: {}", who.tr("Klien", "Client"), v.record.name));
    for b in super::clients::registration_facts(who, &v) {
        page = page.push(b);
    }
    if let Some(secret) = secret {
        page = page.push(json!({ "kind": "secret", "label": "client_secret", "value": secret,
            "help": who.tr("Rahasia baru; yang lama tidak berlaku lagi. Hanya ditampilkan sekali.", "The new secret; the old one no longer works. Shown once.") }));
    }
    let live =
        v.record.purpose == "new" && v.record.status == "approved" && v.record.developer_id == who.principal.id();
    if live {
        let base = format!("/portal/{}", enc(id));
        if v.record.kind == "confidential" {
            page = page.push(form(
                "rotate",
                who.tr("Ganti client secret", "Rotate the client secret"),
                &format!("{base}/rahasia"),
                vec![],
                who.tr("Buat rahasia baru", "Make a new secret"),
                None,
            ));
        }
        let client = state.clients.get(&v.record.client_id).await?;
        let current = client.map(|c| c.redirect_uris.join("\n")).unwrap_or_default();
        page = page.push(form(
            "uris",
            who.tr("Ubah redirect URI", "Change the redirect URIs"),
            &format!("{base}/uri"),
            vec![Field::text("redirect_uris", "Redirect URI", &current).kind("textarea").required().help(who.tr(
                "Menghapus berlaku langsung; menambah memerlukan persetujuan lagi.",
                "Removing applies at once; adding needs approval again.",
            ))],
            who.tr("Simpan", "Save"),
            error.clone(),
        ));
    }
    page.answer(state, who, error.is_some())
}

pub async fn rotate(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/portal/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    let v = state.admin.registration(&who.principal, &id).await.map_err(|e| who.err(e))?;
    let secret = state.admin.rotate_client_secret(&who.principal, &v.record.client_id).await.map_err(|e| who.err(e))?;
    show_page(&state, &who, &id, None, Some(secret)).await
}

pub async fn change_uris(
    State(state): State<AppState>,
    ui: UiLang,
    headers: HeaderMap,
    P(id): P<String>,
    f: FormData,
) -> Page {
    let who = who!(state, headers, ui, &format!("/portal/{}", enc(&id)));
    who.check(&headers, &f, state.secure_cookies)?;
    let v = state.admin.registration(&who.principal, &id).await.map_err(|e| who.err(e))?;
    // The form changes the redirect URIs only: the back-channel URI stays the client's current one.
    let client = state.clients.get(&v.record.client_id).await?;
    let backchannel = client.and_then(|c| c.backchannel_logout_uri).unwrap_or_default();
    match state
        .admin
        .change_client(&who.principal, &v.record.client_id, f.get("redirect_uris"), &backchannel, &[])
        .await
    {
        Ok(None) => Ok(super::see(&format!("/portal/{}", enc(&id)))),
        Ok(Some(pending)) => Ok(super::see(&format!("/portal/{}", enc(&pending.record.id)))),
        Err(e) => show_page(&state, &who, &id, Some(who.form_error(e)?), None).await,
    }
}

/// `GET /portal/{id}/logo`: the logo sent with a registration, to whoever may see the registration.
pub async fn logo(State(state): State<AppState>, ui: UiLang, headers: HeaderMap, P(id): P<String>) -> Page {
    let who = who!(state, headers, ui, &format!("/portal/{}", enc(&id)));
    let (kind, bytes) = state.admin.registration_logo(&who.principal, &id).await.map_err(|e| who.err(e))?;
    let kind = if kind == "image/png" { "image/png" } else { "image/jpeg" };
    let mut r = axum::response::IntoResponse::into_response(bytes);
    let h = r.headers_mut();
    h.insert(axum::http::header::CONTENT_TYPE, axum::http::HeaderValue::from_static(kind));
    h.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("private, no-store"));
    Ok(r)
}
