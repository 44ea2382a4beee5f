//! The admin module's pages (`/admin/…`), the developer portal (`/portal/…`) and the stewards'
//! queue (`/wali-data`): server-rendered from one template (`admin.html`) as a list of blocks
//! (search, table, facts, form, chart, …), over the same `Admin` service as the JSON API.

/// The signed-in person of an admin page, or the sign-in redirect (returned as the response).
macro_rules! who {
    ($state:expr, $headers:expr, $ui:expr, $here:expr) => {
        match $crate::http::admin::Who::get(&$state, &$headers, $ui, $here).await? {
            Ok(w) => w,
            Err(redirect) => return Ok(redirect),
        }
    };
}

pub mod audit;
mod chart;
pub mod clients;
pub mod hr;
pub mod portal;
pub mod registers;
pub mod steward;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gerbang_core::lang::Lang;
use serde::Serialize;
use serde_json::{Value, json};

use super::error::PageError;
use super::lang::UiLang;
use super::{csrf, page};
use crate::admin::{AdminError, Principal, Role};
use crate::state::AppState;

/// The signed-in person on an admin page, with the page's language and CSRF token.
pub struct Who {
    pub principal: Principal,
    pub ui: UiLang,
    pub csrf: String,
    csrf_cookie: Option<HeaderValue>,
}

impl Who {
    /// The person behind the session cookie; a sign-in redirect (back to `here`) otherwise.
    pub async fn get(
        state: &AppState,
        headers: &HeaderMap,
        ui: UiLang,
        here: &str,
    ) -> Result<Result<Who, Response>, PageError> {
        let Some((_, account)) = state.signed_in(headers).await? else {
            let back = url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>();
            return Ok(Err(Redirect::to(&format!("/masuk?return_to={back}")).into_response()));
        };
        let principal = Principal::load(&state.store, &account.id).await?.ok_or(PageError::Forbidden)?;
        let (csrf, csrf_cookie) = csrf::ensure(headers, state.secure_cookies);
        Ok(Ok(Who { principal, ui, csrf, csrf_cookie }))
    }

    pub fn lang(&self) -> Lang {
        self.ui.lang
    }

    pub fn tr(&self, id: &'static str, en: &'static str) -> &'static str {
        if self.ui.lang == Lang::En { en } else { id }
    }

    pub fn err(&self, e: AdminError) -> PageError {
        PageError::from_admin(e, self.ui.lang)
    }

    /// The error message of a refused form, to show above it (server errors still fail the page).
    pub fn form_error(&self, e: AdminError) -> Result<String, PageError> {
        match e {
            AdminError::Invalid { .. } | AdminError::Conflict { .. } => {
                Ok(gerbang_core::lang::Localized::message(&e, self.ui.lang))
            }
            other => Err(self.err(other)),
        }
    }

    /// The words for a stored code (a status, a kind); unknown codes are shown as they are.
    pub fn code(&self, code: &str) -> String {
        let (id, en) = match code {
            "pending" => ("menunggu", "waiting"),
            "approved" => ("disetujui", "approved"),
            "rejected" => ("ditolak", "rejected"),
            "active" => ("aktif", "active"),
            "disabled" => ("nonaktif", "disabled"),
            "locked" => ("terkunci", "locked"),
            "new" => ("klien baru", "new client"),
            "change" => ("perubahan", "change"),
            "confidential" => ("rahasia (confidential)", "confidential"),
            "public" => ("publik (public)", "public"),
            "planned" => ("direncanakan", "planned"),
            "integrating" => ("integrasi", "integrating"),
            "live" => ("berjalan", "live"),
            "retired" => ("dihentikan", "retired"),
            "admin" => ("administrator", "an administrator"),
            "inactivity" => ("sistem (tidak dipakai)", "the system (unused)"),
            "hr" => ("SIMPEG", "SIMPEG"),
            "" => ("—", "—"),
            other => return other.to_string(),
        };
        self.tr(id, en).to_string()
    }

    /// Checks a form's CSRF token.
    pub fn check(&self, headers: &HeaderMap, form: &FormData, secure: bool) -> Result<(), PageError> {
        csrf::require(headers, form.get("csrf"), secure)
    }

    /// The navigation this person may use.
    fn nav(&self, active: &str) -> Vec<Value> {
        let p = &self.principal;
        let mut items: Vec<(&str, &str, &str)> = Vec::new();
        if p.has(Role::Admin) || p.has(Role::Auditor) {
            items.extend([
                ("/admin", self.tr("Ringkasan", "Overview"), "home"),
                ("/admin/opd", "OPD", "opd"),
                ("/admin/aplikasi", self.tr("Aplikasi", "Applications"), "aplikasi"),
                ("/admin/domain", "Domain", "domain"),
                ("/admin/jaringan", self.tr("Jaringan", "Networks"), "jaringan"),
                ("/admin/kelompok-data", self.tr("Kelompok data", "Data groups"), "kelompok-data"),
                ("/admin/akun", self.tr("Akun", "Accounts"), "akun"),
                ("/admin/asn/impor", self.tr("Impor ASN", "ASN import"), "asn"),
                ("/admin/klien", self.tr("Klien OIDC", "OIDC clients"), "klien"),
                ("/admin/audit", self.tr("Log audit", "Audit log"), "audit"),
                ("/admin/laporan", self.tr("Laporan", "Reports"), "laporan"),
            ]);
        }
        if p.has(Role::Developer) {
            items.push(("/portal", self.tr("Portal pengembang", "Developer portal"), "portal"));
        }
        if p.is_steward() {
            items.push(("/wali-data", "Wali Data", "wali-data"));
        }
        if p.has(Role::Verifier) {
            items.push(("/verifikasi", self.tr("Verifikasi warga", "Verify citizens"), "verifikasi"));
        }
        items.push(("/akun", self.tr("Akun saya", "My account"), "me"));
        items
            .into_iter()
            .map(|(href, label, id)| json!({ "href": href, "label": label, "active": id == active }))
            .collect()
    }
}

/// One rendered admin page.
pub struct AdminPage {
    pub title: String,
    pub id: &'static str,
    pub nav: &'static str,
    pub notice: Option<String>,
    pub blocks: Vec<Value>,
}

impl AdminPage {
    pub fn new(id: &'static str, nav: &'static str, title: impl Into<String>) -> AdminPage {
        AdminPage { title: title.into(), id, nav, notice: None, blocks: Vec::new() }
    }

    pub fn push(mut self, block: Value) -> AdminPage {
        self.blocks.push(block);
        self
    }

    /// A page with a form: 400 when it shows the form's refusal, 200 otherwise.
    pub fn answer(self, state: &AppState, who: &Who, refused: bool) -> Result<Response, PageError> {
        self.render(state, who, if refused { StatusCode::BAD_REQUEST } else { StatusCode::OK })
    }

    pub fn render(self, state: &AppState, who: &Who, status: StatusCode) -> Result<Response, PageError> {
        let ctx = minijinja::context! {
            title => self.title, page_id => self.id, nav => who.nav(self.nav), notice => self.notice,
            blocks => self.blocks, csrf => who.csrf.clone(),
        };
        let html = state.theme.page("admin.html", &who.ui, ctx).map_err(|e| PageError::Server(e.to_string()))?;
        Ok(page::respond(status, html, who.csrf_cookie.clone(), &who.ui, state.secure_cookies))
    }
}

/// A query string whose rejection is a readable page (never axum's plain text).
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequestParts<S> for Q<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, PageError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Q(q.0))
            .map_err(|_| PageError::BadForm)
    }
}

/// Path parameters whose rejection is the not-found page.
pub struct P<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<S> for P<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, PageError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| P(p.0))
            .map_err(|_| PageError::NotFound)
    }
}

/// A file sent with a form (`multipart/form-data`).
pub struct Upload {
    pub name: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A posted form: every name/value pair, in order (checkbox groups repeat a name), and the files
/// of a `multipart/form-data` post. Either encoding is read; anything else, or a text field with
/// a NUL character, is the bad-form page.
pub struct FormData(pub Vec<(String, String)>, pub Vec<Upload>);

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormData {
    type Rejection = PageError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        let kind = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !kind.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") {
            return Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map(|Form(v)| FormData(v, Vec::new()))
                .map_err(|_: FormRejection| PageError::BadForm);
        }
        let mut multipart = axum::extract::Multipart::from_request(req, state).await.map_err(|_| PageError::BadForm)?;
        let (mut pairs, mut files) = (Vec::new(), Vec::new());
        while let Some(field) = multipart.next_field().await.map_err(|_| PageError::BadForm)? {
            let name = field.name().unwrap_or("").to_string();
            match field.file_name().map(str::to_string) {
                // A file input left empty is sent as a part with an empty file name.
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(|_| PageError::BadForm)?;
                    if !file_name.is_empty() || !bytes.is_empty() {
                        files.push(Upload { name, file_name, bytes: bytes.to_vec() });
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| PageError::BadForm)?;
                    if text.contains('\0') || name.contains('\0') {
                        return Err(PageError::BadForm);
                    }
                    pairs.push((name, text));
                }
            }
        }
        Ok(FormData(pairs, files))
    }
}

impl FormData {
    /// The file sent under `name`, if one was chosen.
    pub fn file(&self, name: &str) -> Option<&Upload> {
        self.1.iter().find(|u| u.name == name)
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// The pairs as a JSON object (last value wins), to deserialize a service input from.
    pub fn json(&self) -> Value {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.0 {
            map.insert(k.clone(), Value::String(v.clone()));
        }
        Value::Object(map)
    }
}

// Block builders: plain JSON the template walks.

#[derive(Serialize)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// `text`, `date`, `url`, `select`, `textarea` or `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<Value>,
    pub required: bool,
    pub help: String,
    pub checked: bool,
    pub value_on: String,
}

impl Field {
    pub fn text(name: &'static str, label: &str, value: &str) -> Field {
        Field {
            name,
            label: label.into(),
            kind: "text",
            value: value.into(),
            options: vec![],
            required: false,
            help: String::new(),
            checked: false,
            value_on: "on".into(),
        }
    }

    pub fn kind(mut self, kind: &'static str) -> Field {
        self.kind = kind;
        self
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn help(mut self, help: &str) -> Field {
        self.help = help.into();
        self
    }

    pub fn select(name: &'static str, label: &str, value: &str, options: Vec<(String, String)>) -> Field {
        let mut f = Field::text(name, label, value).kind("select");
        f.options = options.into_iter().map(|(v, l)| json!({ "value": v, "label": l })).collect();
        f
    }

    pub fn checkbox(name: &'static str, label: &str, checked: bool) -> Field {
        let mut f = Field::text(name, label, "").kind("checkbox");
        f.checked = checked;
        f
    }

    pub fn checkbox_value(name: &'static str, label: &str, value: &str, checked: bool) -> Field {
        let mut f = Field::checkbox(name, label, checked);
        f.value_on = value.into();
        f
    }
}

pub fn form(id: &str, title: &str, action: &str, fields: Vec<Field>, submit: &str, error: Option<String>) -> Value {
    json!({ "kind": "form", "method": "post", "id": id, "title": title, "action": action, "fields": fields, "error": error,
        "hidden": [], "submits": [{ "name": "do", "value": "save", "label": submit, "secondary": false }] })
}

pub fn table(id: &str, title: &str, columns: &[&str], rows: Vec<Vec<Value>>, next: Option<String>) -> Value {
    json!({ "kind": "table", "id": id, "title": title, "columns": columns, "rows": rows, "next": next })
}

pub fn cell(text: impl Into<String>) -> Value {
    json!({ "text": text.into() })
}

pub fn link(text: impl Into<String>, href: impl Into<String>) -> Value {
    json!({ "text": text.into(), "href": href.into() })
}

pub fn facts(id: &str, title: &str, items: Vec<(String, String)>) -> Value {
    let items: Vec<Value> = items.into_iter().map(|(l, v)| json!({ "label": l, "value": v })).collect();
    json!({ "kind": "facts", "id": id, "title": title, "items": items })
}

pub fn search(action: &str, label: &str, q: &str, placeholder: &str) -> Value {
    json!({ "kind": "search", "action": action, "label": label, "q": q, "placeholder": placeholder })
}

pub fn text(t: impl Into<String>) -> Value {
    json!({ "kind": "text", "text": t.into() })
}

/// Percent-encodes one query or path component.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Redirect after a successful post (303: the browser fetches the page with GET).
pub fn see(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The audit history of a record as a table.
pub fn history(who: &Who, rows: &[gerbang_core::store::AuditRow]) -> Value {
    let body = rows
        .iter()
        .map(|r| {
            vec![
                cell(crate::wib::date_time(r.at)),
                cell(r.actor.clone()),
                cell(r.action.clone()),
                cell(r.detail.clone()),
            ]
        })
        .collect();
    table(
        "history",
        who.tr("Riwayat perubahan", "Change history"),
        &[who.tr("Waktu", "Time"), who.tr("Oleh", "By"), who.tr("Tindakan", "Action"), who.tr("Rincian", "Detail")],
        body,
        None,
    )
}
