//! `/api/v1/registrations` and `/api/v1/clients/{id}/…`: the developer portal and approvals.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Json, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Caller, ListParams, body, query};
use crate::admin::registration::{ClaimAsk, Decision, RegistrationInput, RegistrationView};
use crate::http::error::ApiError;
use crate::state::AppState;

type Api = Result<Response, ApiError>;

pub fn registration_json(v: &RegistrationView) -> Value {
    let r = &v.record;
    json!({
        "id": r.id, "client_id": r.client_id, "purpose": r.purpose, "application_id": r.application_id,
        "application_name": v.application_name, "developer_id": r.developer_id, "name": r.name, "kind": r.kind,
        "redirect_uris": r.redirect_uris.lines().collect::<Vec<_>>(), "backchannel_logout_uri": r.backchannel_logout_uri,
        "scopes": r.scopes, "status": r.status, "reason": r.reason, "decided_by": r.decided_by, "decided_at": r.decided_at,
        "created_at": r.created_at, "client_status": v.client_status, "has_logo": r.logo_type.is_some(),
        "claims": v.claims.iter().map(|c| json!({ "claim": c.claim, "purpose": c.purpose, "data_group": c.data_group_id,
            "decision": c.decision, "decided_by": c.decided_by, "reason": c.reason })).collect::<Vec<_>>(),
    })
}

pub async fn create(State(s): State<AppState>, c: Caller, b: Result<Json<RegistrationInput>, JsonRejection>) -> Api {
    let (view, secret) = s.admin.register_client(&c.principal, &body(b)?).await.map_err(|e| c.err(e))?;
    let mut v = registration_json(&view);
    // Shown this once; only its hash is kept.
    v["client_secret"] = json!(secret);
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

pub async fn list(State(s): State<AppState>, c: Caller, q: Result<Query<ListParams>, QueryRejection>) -> Api {
    let p = query(q)?;
    let before = if p.after.is_empty() {
        None
    } else {
        let cur = super::decode_cursor(&p.after)?;
        let at = cur.key.parse::<i64>().map_err(|_| ApiError::Malformed("after: not a cursor of this API".into()))?;
        Some((at, cur.id))
    };
    let items = s.admin.registrations(&c.principal, &p.status, before).await.map_err(|e| c.err(e))?;
    let next = super::next_of(&items, |v| super::encode_cursor(&v.record.created_at.to_string(), &v.record.id));
    Ok(super::page(items.iter().map(registration_json).collect(), next).into_response())
}

pub async fn get(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    Ok(Json(registration_json(&s.admin.registration(&c.principal, &id).await.map_err(|e| c.err(e))?)).into_response())
}

pub async fn decide(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<Decision>, JsonRejection>,
) -> Api {
    let v = s.admin.decide_registration(&c.principal, &id, &body(b)?).await.map_err(|e| c.err(e))?;
    Ok(Json(registration_json(&v)).into_response())
}

pub async fn decide_claim(
    State(s): State<AppState>,
    c: Caller,
    Path((id, claim)): Path<(String, String)>,
    b: Result<Json<Decision>, JsonRejection>,
) -> Api {
    let v = s.admin.decide_claim(&c.principal, &id, &claim, &body(b)?).await.map_err(|e| c.err(e))?;
    Ok(Json(registration_json(&v)).into_response())
}

pub async fn steward_queue(State(s): State<AppState>, c: Caller) -> Api {
    let queue = s.admin.steward_queue(&c.principal).await.map_err(|e| c.err(e))?;
    let items: Vec<Value> = queue
        .iter()
        .map(|(claim, v)| {
            json!({ "claim": claim.claim, "purpose": claim.purpose, "data_group": claim.data_group_id,
            "registration": registration_json(v) })
        })
        .collect();
    Ok(super::page(items, None).into_response())
}

pub async fn rotate_secret(State(s): State<AppState>, c: Caller, Path(id): Path<String>) -> Api {
    let secret = s.admin.rotate_client_secret(&c.principal, &id).await.map_err(|e| c.err(e))?;
    Ok(Json(json!({ "client_id": id, "client_secret": secret })).into_response())
}

#[derive(serde::Deserialize)]
pub struct ChangeBody {
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    backchannel_logout_uri: String,
    #[serde(default)]
    claims: Vec<ClaimAsk>,
}

/// `PUT /api/v1/clients/{id}`: 200 when applied at once (narrowing), 202 with the pending
/// registration when it widens access.
pub async fn change(
    State(s): State<AppState>,
    c: Caller,
    Path(id): Path<String>,
    b: Result<Json<ChangeBody>, JsonRejection>,
) -> Api {
    let b = body(b)?;
    let pending = s
        .admin
        .change_client(&c.principal, &id, &b.redirect_uris.join("\n"), &b.backchannel_logout_uri, &b.claims)
        .await
        .map_err(|e| c.err(e))?;
    Ok(match pending {
        None => Json(json!({ "client_id": id, "applied": true })).into_response(),
        Some(v) => (StatusCode::ACCEPTED, Json(registration_json(&v))).into_response(),
    })
}
