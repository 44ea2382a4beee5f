//! `/scim/v2/Users`: the civil servants. `userName` is the NIP, `displayName` the name,
//! `active` whether they are in service, the enterprise extension's `department` the OPD code,
//! `emails` and `phoneNumbers` the contacts activation codes go to. Citizens are never listed.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use gerbang_core::store::{AccountStatus, StaffFilter};
use serde_json::{Value, json};

use super::filter::{self, Comparison, Value as FilterValue};
use super::{Q, ScimCaller, ScimError, has_schema, json_body, list_response, patch_operations, rfc3339, scim_json};
use crate::accounts::Actor;
use crate::hr::{StaffInput, StaffView};
use crate::state::AppState;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

type Answer = Result<Response, ScimError>;

/// The User resource of a civil servant.
pub fn resource(state: &AppState, v: &StaffView) -> Value {
    let a = &v.account;
    let location = state.issuer.endpoint(&format!("/scim/v2/Users/{}", a.id));
    let mut user = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": a.id,
        "userName": v.nip,
        "displayName": a.display_name,
        "name": { "formatted": a.display_name },
        "active": a.status == AccountStatus::Active,
        "emails": v.email.iter().map(|e| json!({ "value": e, "type": "work", "primary": true })).collect::<Vec<_>>(),
        "phoneNumbers": v.phone.iter().map(|p| json!({ "value": p, "type": "mobile" })).collect::<Vec<_>>(),
        ENTERPRISE: { "employeeNumber": v.nip },
        "meta": { "resourceType": "User", "created": rfc3339(a.created_at), "lastModified": rfc3339(a.updated_at),
                  "location": location },
    });
    if let Some(opd) = &a.opd_id {
        user[ENTERPRISE]["department"] = json!(opd);
        user["groups"] = json!([{ "value": opd, "$ref": state.issuer.endpoint(&format!("/scim/v2/Groups/{opd}")),
                                  "type": "direct" }]);
    }
    user
}

pub async fn list(State(state): State<AppState>, _caller: ScimCaller, Q(q): Q) -> Answer {
    let filter = match q.filter.as_deref() {
        Some(f) => user_filter(&filter::parse(f)?)?,
        None => StaffFilter::default(),
    };
    let (start, count) = (q.start_index()?, q.count()?);
    let (total, views) =
        state.hr.find(&filter, count, start - 1).await.map_err(|e| ScimError::from_hr(e, Default::default()))?;
    Ok(list_response(total, start, views.iter().map(|v| resource(&state, v)).collect()))
}

pub async fn get(State(state): State<AppState>, caller: ScimCaller, id: Result<Path<String>, PathRejection>) -> Answer {
    let view = found(&state, &caller, id).await?;
    Ok(scim_json(StatusCode::OK, &resource(&state, &view)))
}

pub async fn create(State(state): State<AppState>, caller: ScimCaller, body: Bytes) -> Answer {
    let input = input_from(&json_body(&body)?)?;
    let taken = StaffFilter { nip: Some(canonical_nip(&input.nip)), ..StaffFilter::default() };
    let (n, _) = state.hr.find(&taken, 0, 0).await.map_err(|e| ScimError::from_hr(e, caller.lang))?;
    if n > 0 {
        return Err(ScimError::Uniqueness("a user with this userName (NIP) exists".into()));
    }
    let (id, _) = state.hr.sync_one(&input, Actor(&caller.client_id)).await.map_err(|e| match e {
        // Another request created the same NIP in between.
        crate::hr::HrError::Account(crate::accounts::AccountError::NipTaken) => {
            ScimError::Uniqueness("a user with this userName (NIP) exists".into())
        }
        e => ScimError::from_hr(e, caller.lang),
    })?;
    if id.is_empty() {
        return Err(ScimError::InvalidValue("a user who is not active cannot be created".into()));
    }
    let view = state.hr.staff(&id).await.map_err(|e| ScimError::from_hr(e, caller.lang))?.ok_or(ScimError::NotFound)?;
    let body = resource(&state, &view);
    let mut response = scim_json(StatusCode::CREATED, &body);
    if let Some(Ok(location)) = body["meta"]["location"].as_str().map(HeaderValue::from_str) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

pub async fn replace(
    State(state): State<AppState>,
    caller: ScimCaller,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Answer {
    let view = found(&state, &caller, id).await?;
    let input = input_from(&json_body(&body)?)?;
    if canonical_nip(&input.nip) != view.nip {
        return Err(nip_is_fixed());
    }
    save(&state, &caller, &input).await
}

pub async fn patch(
    State(state): State<AppState>,
    caller: ScimCaller,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Answer {
    let view = found(&state, &caller, id).await?;
    let ops = patch_operations(&body)?;
    let mut input = view.to_input();
    for op in &ops {
        apply(&mut input, op, &view.nip)?;
    }
    save(&state, &caller, &input).await
}

/// Accounts are never deleted (their audit trail and NIP history stay); deprovision with
/// `active: false` instead.
pub async fn delete(_caller: ScimCaller) -> ScimError {
    ScimError::NotImplemented("users are not deleted; set active to false (PATCH) to deprovision")
}

async fn save(state: &AppState, caller: &ScimCaller, input: &StaffInput) -> Answer {
    let (id, _) =
        state.hr.sync_one(input, Actor(&caller.client_id)).await.map_err(|e| ScimError::from_hr(e, caller.lang))?;
    let view = state.hr.staff(&id).await.map_err(|e| ScimError::from_hr(e, caller.lang))?.ok_or(ScimError::NotFound)?;
    Ok(scim_json(StatusCode::OK, &resource(state, &view)))
}

async fn found(
    state: &AppState,
    caller: &ScimCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<StaffView, ScimError> {
    let Ok(Path(id)) = id else { return Err(ScimError::NotFound) };
    if id.len() > 128 {
        return Err(ScimError::NotFound);
    }
    state.hr.staff(&id).await.map_err(|e| ScimError::from_hr(e, caller.lang))?.ok_or(ScimError::NotFound)
}

/// A NIP as stored (digits only), whatever spacing or dots it was written with; the text as it
/// came when it is no NIP at all (the record check then refuses it).
fn canonical_nip(text: &str) -> String {
    gerbang_core::ids::Nip::parse(text).map(|n| n.as_str().to_string()).unwrap_or_else(|_| text.trim().to_string())
}

fn nip_is_fixed() -> ScimError {
    ScimError::Mutability("userName (the NIP) cannot be changed here; a new NIP is given in the admin module".into())
}

/// A full User resource (POST, PUT) as an HR record.
fn input_from(body: &Value) -> Result<StaffInput, ScimError> {
    if !body.is_object() {
        return Err(ScimError::InvalidSyntax("the body must be a JSON object".into()));
    }
    if !has_schema(body, USER_SCHEMA) {
        return Err(ScimError::InvalidSyntax(format!("schemas must include {USER_SCHEMA}")));
    }
    let nip = text(body.get("userName"), "userName")?
        .ok_or_else(|| ScimError::InvalidValue("userName (the NIP) is required".into()))?;
    let mut input = StaffInput { nip: nip.clone(), status: "aktif".into(), ..StaffInput::default() };
    // `name` first, so that `displayName`, when given too, wins (it is what people see).
    let mut attributes: Vec<(&String, &Value)> = body.as_object().into_iter().flatten().collect();
    attributes.sort_by_key(|(k, _)| k.eq_ignore_ascii_case("displayName"));
    for (key, value) in attributes {
        match set(&mut input, key, value, &canonical_nip(&nip)) {
            // Attributes Gerbang does not keep (title, addresses, a password, …) are ignored in a
            // full resource, as stock provisioning clients send them.
            Err(ScimError::InvalidPath(_)) => {}
            other => other?,
        }
    }
    Ok(input)
}

/// One PATCH operation (RFC 7644 §3.5.2). `remove` is refused: an HR record keeps its fields.
fn apply(input: &mut StaffInput, op: &Value, nip: &str) -> Result<(), ScimError> {
    let kind = op.get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).unwrap_or_default();
    let value = op.get("value").unwrap_or(&Value::Null);
    let path = match op.get("path") {
        None | Some(Value::Null) => None,
        Some(Value::String(p)) => Some(p.as_str()),
        Some(_) => return Err(ScimError::InvalidPath("path must be a string".into())),
    };
    match kind.as_str() {
        "add" | "replace" => {}
        "remove" => {
            return Err(ScimError::Mutability(
                "attributes cannot be removed; replace them, or set active to false to deprovision".into(),
            ));
        }
        other => return Err(ScimError::InvalidSyntax(format!("unknown PATCH op {other:?}"))),
    }
    match path {
        Some(p) => set(input, p, value, nip),
        None => {
            let object = value
                .as_object()
                .ok_or_else(|| ScimError::InvalidValue("an operation without a path needs an object value".into()))?;
            for (k, v) in object {
                set(input, k, v, nip)?;
            }
            Ok(())
        }
    }
}

/// Sets one attribute (a path of this resource) from a JSON value.
fn set(input: &mut StaffInput, path: &str, value: &Value, nip: &str) -> Result<(), ScimError> {
    let lower = path.to_ascii_lowercase();
    let enterprise = ENTERPRISE.to_ascii_lowercase();
    match lower.as_str() {
        "active" => input.status = if boolean(value, "active")? { "aktif" } else { "keluar" }.into(),
        "displayname" | "name.formatted" => input.name = required_text(value, path)?,
        "name" => {
            let formatted = text(value.get("formatted"), "name.formatted")?;
            let given = text(value.get("givenName"), "name.givenName")?;
            let family = text(value.get("familyName"), "name.familyName")?;
            let joined = [given, family].into_iter().flatten().collect::<Vec<_>>().join(" ");
            input.name = formatted
                .or(Some(joined).filter(|j| !j.is_empty()))
                .ok_or_else(|| ScimError::InvalidValue("name needs formatted or givenName/familyName".into()))?;
        }
        "username" => {
            if canonical_nip(&required_text(value, path)?) != nip {
                return Err(nip_is_fixed());
            }
        }
        "emails" => input.email = first_value(value, "emails")?,
        "phonenumbers" => input.phone = first_value(value, "phoneNumbers")?,
        p if p.starts_with("emails[") || p == "emails.value" => input.email = required_text(value, path)?,
        p if p.starts_with("phonenumbers[") || p == "phonenumbers.value" => input.phone = required_text(value, path)?,
        "schemas" | "id" | "meta" | "externalid" | "groups" => {}
        p if p == enterprise => {
            let object =
                value.as_object().ok_or_else(|| ScimError::InvalidValue(format!("{ENTERPRISE} must be an object")))?;
            for (k, v) in object {
                set(input, &format!("{ENTERPRISE}:{k}"), v, nip)?;
            }
        }
        p if p == format!("{enterprise}:department") => input.opd = required_text(value, path)?,
        p if p.starts_with(&format!("{enterprise}:")) => {}
        _ => return Err(ScimError::InvalidPath(format!("attribute {path:?} is not supported"))),
    }
    Ok(())
}

fn text(value: Option<&Value>, name: &str) -> Result<Option<String>, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ScimError::InvalidValue(format!("{name} must be a string"))),
    }
}

fn required_text(value: &Value, name: &str) -> Result<String, ScimError> {
    text(Some(value), name)?.ok_or_else(|| ScimError::InvalidValue(format!("{name} must be a string")))
}

/// A boolean, also as the strings `"True"`/`"False"` some provisioning clients send.
fn boolean(value: &Value, name: &str) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ScimError::InvalidValue(format!("{name} must be true or false"))),
    }
}

/// The primary (or else the first) `value` of a multi-valued attribute; empty when the list is.
fn first_value(value: &Value, name: &str) -> Result<String, ScimError> {
    let items = value.as_array().ok_or_else(|| ScimError::InvalidValue(format!("{name} must be an array")))?;
    let chosen = items.iter().find(|i| i.get("primary") == Some(&Value::Bool(true))).or(items.first());
    match chosen {
        None => Ok(String::new()),
        Some(item) => Ok(text(item.get("value"), &format!("{name}.value"))?.unwrap_or_default()),
    }
}

/// The database criteria of a Users filter.
fn user_filter(comparisons: &[Comparison]) -> Result<StaffFilter, ScimError> {
    let mut f = StaffFilter::default();
    let department = format!("{}:department", ENTERPRISE.to_ascii_lowercase());
    for c in comparisons {
        let slot_taken = || ScimError::InvalidFilter(format!("{} is compared twice", c.path));
        let text = || match &c.value {
            FilterValue::Text(t) => Ok(t.clone()),
            FilterValue::Bool(_) => Err(ScimError::InvalidFilter(format!("{} takes a quoted string", c.path))),
        };
        let slot = match (c.path.as_str(), c.op.as_str()) {
            ("username", "eq") => &mut f.nip,
            ("id", "eq") => &mut f.id,
            ("displayname" | "name.formatted", "eq") => &mut f.name,
            ("displayname" | "name.formatted", "sw") => &mut f.name_prefix,
            (p, "eq") if p == department => &mut f.opd,
            ("active", "eq") => {
                let FilterValue::Bool(active) = c.value else {
                    return Err(ScimError::InvalidFilter("active takes true or false".into()));
                };
                if f.status.is_some() {
                    return Err(slot_taken());
                }
                f.status = Some(if active { AccountStatus::Active } else { AccountStatus::Disabled });
                continue;
            }
            _ => {
                return Err(ScimError::InvalidFilter(format!(
                    "{} {} is not supported; filter on userName eq, id eq, displayName eq/sw, active eq, \
                     or {ENTERPRISE}:department eq",
                    c.path, c.op
                )));
            }
        };
        if slot.is_some() {
            return Err(slot_taken());
        }
        *slot = Some(text()?);
    }
    Ok(f)
}
