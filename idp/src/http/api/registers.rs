//! `/api/v1/{opds,applications,domains,networks,data-groups,accounts}`: the registers.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Json, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Caller, ListParams, body, decode_cursor, encode_cursor, next_of, page, query};
use crate::admin::account::AccountInput;
use crate::admin::application::{ApplicationInput, DocUpdate};
use crate::admin::domain::DomainInput;
use crate::admin::network::NetworkInput;
use crate::admin::opd::OpdInput;
use crate::admin::stewardship::StewardInput;
use crate::admin::target;
use crate::http::error::ApiError;
use crate::state::AppState;

type Q = Result<Query<ListParams>, QueryRejection>;
type Api = Result<Response, ApiError>;

fn created<T: serde::Serialize>(item: &T) -> Response {
    (StatusCode::CREATED, Json(json!(item))).into_response()
}

fn ok<T: serde::Serialize>(item: &T) -> Response {
    Json(json!(item)).into_response()
}

pub async fn list_opds(State(s): State<AppState>, c: Caller, q: Q) -> Api {
    let p = query(q)?;
    let items = s.admin.opds(&c.principal, &p.q, &decode_cursor(&p.after)?).await.map_err(|e| c.err(e))?;
    let next = next_of(&items, |o| encode_cursor(&o.name_key, &o.id));
    Ok(page(items, next).into_response())
}

pub async fn create_opd(State(s): State<AppState>, c: Caller, b: Result<Json<OpdInput>, JsonRejection>) -> Api {
    Ok(created(&s.admin.create_opd(&c.principal, &body(b)?).await.map_err(|e| c.err(e))?))
}

pub async fn get_opd(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    Ok(ok(&s.admin.opd(&c.principal, &id).await.map_err(|e| c.err(e))?))
}

pub async fn update_opd(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<OpdInput>, JsonRejection>,
) -> Api {
    Ok(ok(&s.admin.update_opd(&c.principal, &id, &body(b)?).await.map_err(|e| c.err(e))?))
}

pub async fn list_applications(State(s): State<AppState>, c: Caller, q: Q) -> Api {
    let p = query(q)?;
    let items =
        s.admin.applications(&c.principal, &p.q, &p.opd, &decode_cursor(&p.after)?).await.map_err(|e| c.err(e))?;
    let next = next_of(&items, |a| encode_cursor(&a.name_key, &a.id));
    Ok(page(items, next).into_response())
}

pub async fn create_application(
    State(s): State<AppState>,
    c: Caller,
    b: Result<Json<ApplicationInput>, JsonRejection>,
) -> Api {
    Ok(created(&s.admin.create_application(&c.principal, &body(b)?).await.map_err(|e| c.err(e))?))
}

pub async fn get_application(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    let app = s.admin.application(&c.principal, &id).await.map_err(|e| c.err(e))?;
    let mut v = json!(app);
    // The documentation checklist is for administrators and auditors; a developer reading the
    // register gets the application without it.
    if c.principal.require_reader().is_ok() {
        let docs = s.admin.application_docs(&c.principal, &id).await.map_err(|e| c.err(e))?;
        v["docs"] = json!(docs);
    }
    Ok(Json(v).into_response())
}

pub async fn update_application(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<ApplicationInput>, JsonRejection>,
) -> Api {
    Ok(ok(&s.admin.update_application(&c.principal, &id, &body(b)?).await.map_err(|e| c.err(e))?))
}

/// `PUT /api/v1/applications/{id}/docs/{item}` `{"link": "...", "checked": true}`.
pub async fn set_doc(
    State(s): State<AppState>,
    c: Caller,
    Path((id, item)): Path<(String, String)>,
    b: Result<Json<DocUpdate>, JsonRejection>,
) -> Api {
    s.admin.update_doc(&c.principal, &id, &item, &body(b)?).await.map_err(|e| c.err(e))?;
    Ok(ok(&s.admin.application_docs(&c.principal, &id).await.map_err(|e| c.err(e))?))
}

pub async fn list_domains(State(s): State<AppState>, c: Caller, q: Q) -> Api {
    let p = query(q)?;
    let after = decode_cursor(&p.after)?;
    let items = s.admin.domains(&c.principal, &p.q, &after.id).await.map_err(|e| c.err(e))?;
    let next = next_of(&items, |d| encode_cursor("", &d.name));
    Ok(page(items, next).into_response())
}

pub async fn create_domain(State(s): State<AppState>, c: Caller, b: Result<Json<DomainInput>, JsonRejection>) -> Api {
    Ok(created(&s.admin.create_domain(&c.principal, &body(b)?).await.map_err(|e| c.err(e))?))
}

pub async fn get_domain(State(s): State<AppState>, c: Caller, Path(name): Path<String>) -> Api {
    Ok(ok(&s.admin.domain(&c.principal, &name).await.map_err(|e| c.err(e))?))
}

pub async fn update_domain(
    State(s): State<AppState>,
    c: Caller,
    Path(name): Path<String>,
    b: Result<Json<DomainInput>, JsonRejection>,
) -> Api {
    Ok(ok(&s.admin.update_domain(&c.principal, &name, &body(b)?).await.map_err(|e| c.err(e))?))
}

fn network_json(n: &gerbang_core::store::NetworkRecord) -> Value {
    json!({ "id": n.id, "name": n.name, "opd_id": n.opd_id, "cidrs": n.cidrs.lines().collect::<Vec<_>>(),
        "city": n.city, "created_at": n.created_at, "updated_at": n.updated_at })
}

pub async fn list_networks(State(s): State<AppState>, c: Caller, q: Q) -> Api {
    let p = query(q)?;
    let after = decode_cursor(&p.after)?;
    let items = s.admin.networks(&c.principal, &after.id).await.map_err(|e| c.err(e))?;
    let next = next_of(&items, |n| encode_cursor("", &n.id));
    Ok(page(items.iter().map(network_json).collect(), next).into_response())
}

pub async fn create_network(State(s): State<AppState>, c: Caller, b: Result<Json<NetworkInput>, JsonRejection>) -> Api {
    let n = s.admin.create_network(&c.principal, &body(b)?).await.map_err(|e| c.err(e))?;
    Ok((StatusCode::CREATED, Json(network_json(&n))).into_response())
}

pub async fn get_network(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    Ok(Json(network_json(&s.admin.network(&c.principal, &id).await.map_err(|e| c.err(e))?)).into_response())
}

pub async fn update_network(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<NetworkInput>, JsonRejection>,
) -> Api {
    let n = s.admin.update_network(&c.principal, &id, &body(b)?).await.map_err(|e| c.err(e))?;
    Ok(Json(network_json(&n)).into_response())
}

pub async fn delete_network(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    s.admin.delete_network(&c.principal, &id).await.map_err(|e| c.err(e))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn list_data_groups(State(s): State<AppState>, c: Caller) -> Api {
    let groups = s.admin.data_groups(&c.principal).await.map_err(|e| c.err(e))?;
    let claims = s.admin.claim_groups().await.map_err(|e| c.err(e))?;
    let items: Vec<Value> = groups
        .iter()
        .map(|g| {
            let mut v = json!(g);
            v["claims"] = json!(claims.iter().filter(|(_, gid)| *gid == g.id).map(|(c, _)| c).collect::<Vec<_>>());
            v
        })
        .collect();
    Ok(page(items, None).into_response())
}

pub async fn set_steward(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<StewardInput>, JsonRejection>,
) -> Api {
    Ok(ok(&s.admin.appoint_steward(&c.principal, &id, &body(b)?).await.map_err(|e| c.err(e))?))
}

fn account_json(a: &crate::accounts::AccountListItem) -> Value {
    json!({ "id": a.id, "kind": a.kind.as_str(), "name": a.display_name, "status": a.status.as_str(),
        "identifier": a.identifier, "opd_id": a.opd_id })
}

pub async fn list_accounts(State(s): State<AppState>, c: Caller, q: Q) -> Api {
    let p = query(q)?;
    let after = decode_cursor(&p.after)?;
    let items = s.admin.search_accounts(&c.principal, &p.q, &after.key, &after.id).await.map_err(|e| c.err(e))?;
    let next = next_of(&items, |a| encode_cursor(&a.name_key, &a.id));
    Ok(page(items.iter().map(account_json).collect(), next).into_response())
}

pub async fn get_account(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    let v = s.admin.account(&c.principal, &id).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({ "id": v.account.id, "kind": v.account.kind.as_str(), "name": v.account.display_name,
        "status": v.account.status.as_str(), "nip": v.nip, "nik": v.nik_masked, "opd_id": v.account.opd_id,
        "roles": v.roles }))
    .into_response())
}

pub async fn update_account(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<AccountInput>, JsonRejection>,
) -> Api {
    s.admin.update_account(&c.principal, &id, &body(b)?).await.map_err(|e| c.err(e))?;
    get_account(State(s), c, Path(id)).await
}

/// `GET /api/v1/{kind}/{id}/history`: the audit records of one register record.
pub async fn history(State(s): State<AppState>, c: Caller, Path((kind, id)): Path<(String, String)>) -> Api {
    let target = match kind.as_str() {
        "opds" => target("opd", &id),
        "applications" => target("application", &id),
        "domains" => target("domain", &id),
        "networks" => target("network", &id),
        "data-groups" => target("data_group", &id),
        "accounts" => id.clone(),
        "registrations" => target("registration", &id),
        _ => return Err(c.err(crate::admin::AdminError::NotFound)),
    };
    let rows = s.admin.history(&c.principal, &target).await.map_err(|e| c.err(e))?;
    Ok(page(rows.iter().map(super::audit::record_json).collect(), None).into_response())
}
