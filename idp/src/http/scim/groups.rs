//! `/scim/v2/Groups`: the OPDs. A group's members are the civil servants working there; adding a
//! member moves them to that OPD, removing one leaves them without an OPD. OPDs themselves are
//! kept in the admin module's register (create, rename and retire there).

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use gerbang_core::store::{OpdRecord, RegisterStore, StaffFilter};
use serde_json::{Value, json};

use super::filter::{self, Value as FilterValue};
use super::{Q, ScimCaller, ScimError, list_response, patch_operations, rfc3339, scim_json};
use crate::accounts::Actor;
use crate::state::AppState;

const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Members listed in one group resource (a city OPD has a few hundred at most).
const MAX_MEMBERS: i64 = 10_000;

type Answer = Result<Response, ScimError>;

async fn resource(state: &AppState, caller: &ScimCaller, opd: &OpdRecord, members: bool) -> Result<Value, ScimError> {
    let mut group = json!({
        "schemas": [GROUP_SCHEMA],
        "id": opd.id,
        "displayName": opd.name,
        "meta": { "resourceType": "Group", "created": rfc3339(opd.created_at), "lastModified": rfc3339(opd.updated_at),
                  "location": state.issuer.endpoint(&format!("/scim/v2/Groups/{}", opd.id)) },
    });
    if members {
        let filter = StaffFilter { opd: Some(opd.id.clone()), ..StaffFilter::default() };
        let (_, staff) =
            state.hr.find(&filter, MAX_MEMBERS, 0).await.map_err(|e| ScimError::from_hr(e, caller.lang))?;
        group["members"] = staff
            .iter()
            .map(|s| {
                json!({ "value": s.account.id, "display": s.account.display_name, "type": "User",
                        "$ref": state.issuer.endpoint(&format!("/scim/v2/Users/{}", s.account.id)) })
            })
            .collect();
    }
    Ok(group)
}

pub async fn list(State(state): State<AppState>, caller: ScimCaller, Q(q): Q) -> Answer {
    let (mut by_id, mut by_name) = (None, None);
    if let Some(f) = q.filter.as_deref() {
        for c in filter::parse(f)? {
            let FilterValue::Text(value) = c.value else {
                return Err(ScimError::InvalidFilter(format!("{} takes a quoted string", c.path)));
            };
            match (c.path.as_str(), c.op.as_str()) {
                ("id", "eq") => by_id = Some(value),
                ("displayname", "eq") => by_name = Some(value.to_lowercase()),
                _ => return Err(ScimError::InvalidFilter("filter Groups on id eq or displayName eq".into())),
            }
        }
    }
    let all = gerbang_core::store::all_opds(&mut state.store.conn().await?).await?;
    let matching: Vec<OpdRecord> = all
        .into_iter()
        .filter(|o| by_id.as_ref().is_none_or(|id| &o.id == id))
        .filter(|o| by_name.as_ref().is_none_or(|n| &o.name.to_lowercase() == n))
        .collect();
    let (start, count) = (q.start_index()?, q.count()?);
    let page: Vec<&OpdRecord> = matching.iter().skip((start - 1) as usize).take(count as usize).collect();
    let mut resources = Vec::with_capacity(page.len());
    for opd in page {
        resources.push(resource(&state, &caller, opd, !q.excludes("members")).await?);
    }
    Ok(list_response(matching.len() as i64, start, resources))
}

pub async fn get(
    State(state): State<AppState>,
    caller: ScimCaller,
    Q(q): Q,
    id: Result<Path<String>, PathRejection>,
) -> Answer {
    let opd = found(&state, id).await?;
    Ok(scim_json(StatusCode::OK, &resource(&state, &caller, &opd, !q.excludes("members")).await?))
}

/// Adds members (moving them to this OPD) or removes them (`members[value eq "…"]`, a `members`
/// path with the members as value, or every member with a bare `members` path); `replace` of
/// `members` sets the list exactly.
pub async fn patch(
    State(state): State<AppState>,
    caller: ScimCaller,
    id: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> Answer {
    let opd = found(&state, id).await?;
    let ops = patch_operations(&body)?;
    // Check every operation before changing anything.
    let mut changes: Vec<(String, bool)> = Vec::new();
    for op in &ops {
        let kind = op["op"].as_str().map(str::to_ascii_lowercase).unwrap_or_default();
        let path = op["path"].as_str().unwrap_or("");
        let lower = path.to_ascii_lowercase();
        match kind.as_str() {
            "add" | "replace" if lower == "members" || (lower.is_empty() && op["value"].get("members").is_some()) => {
                let list = if lower.is_empty() { &op["value"]["members"] } else { &op["value"] };
                let ids = member_ids(list)?;
                if kind == "replace" {
                    for current in current_members(&state, &caller, &opd.id).await? {
                        if !ids.contains(&current) {
                            changes.push((current, false));
                        }
                    }
                }
                changes.extend(ids.into_iter().map(|id| (id, true)));
            }
            // With a value, only the members listed (as Entra ID sends it); without, every member.
            "remove" if lower == "members" && op["value"].is_array() => {
                changes.extend(member_ids(&op["value"])?.into_iter().map(|id| (id, false)));
            }
            "remove" if lower == "members" && !op["value"].is_null() => {
                return Err(ScimError::InvalidValue("the value of a members removal must be an array".into()));
            }
            "remove" if lower == "members" => {
                changes.extend(current_members(&state, &caller, &opd.id).await?.into_iter().map(|id| (id, false)));
            }
            "remove" if lower.starts_with("members[value eq \"") && lower.ends_with("\"]") => {
                let id = &path["members[value eq \"".len()..path.len() - 2];
                changes.push((id.to_string(), false));
            }
            "add" | "replace" | "remove" => {
                return Err(ScimError::InvalidPath("only the members of a group can be changed here".into()));
            }
            other => return Err(ScimError::InvalidSyntax(format!("unknown PATCH op {other:?}"))),
        }
    }
    if opd.status != "active" && changes.iter().any(|(_, join)| *join) {
        let refusal = crate::hr::RowError::UnknownOpd(opd.id.clone());
        return Err(ScimError::InvalidValue(gerbang_core::lang::Localized::message(&refusal, caller.lang)));
    }
    for (id, _) in &changes {
        if state.hr.staff(id).await.map_err(|e| ScimError::from_hr(e, caller.lang))?.is_none() {
            return Err(ScimError::InvalidValue(format!("{id} is not a user")));
        }
    }
    let actor = Actor(&caller.client_id);
    for (id, join) in changes {
        let target = if join { Some(opd.id.as_str()) } else { None };
        // Removing someone from a group they are not in changes nothing.
        if !join
            && state.hr.staff(&id).await.ok().flatten().is_some_and(|s| s.account.opd_id.as_deref() != Some(&opd.id))
        {
            continue;
        }
        state.hr.set_opd(&id, target, actor).await.map_err(|e| ScimError::from_hr(e, caller.lang))?;
    }
    Ok(scim_json(StatusCode::OK, &resource(&state, &caller, &opd, true).await?))
}

pub async fn not_offered(_caller: ScimCaller) -> ScimError {
    ScimError::NotImplemented("OPDs are created, renamed and retired in the admin module's OPD register")
}

async fn found(state: &AppState, id: Result<Path<String>, PathRejection>) -> Result<OpdRecord, ScimError> {
    let Ok(Path(id)) = id else { return Err(ScimError::NotFound) };
    if id.len() > 64 {
        return Err(ScimError::NotFound);
    }
    state.store.conn().await?.opd(&id).await?.ok_or(ScimError::NotFound)
}

async fn current_members(state: &AppState, caller: &ScimCaller, opd: &str) -> Result<Vec<String>, ScimError> {
    let filter = StaffFilter { opd: Some(opd.to_string()), ..StaffFilter::default() };
    let (_, staff) = state.hr.find(&filter, MAX_MEMBERS, 0).await.map_err(|e| ScimError::from_hr(e, caller.lang))?;
    Ok(staff.into_iter().map(|s| s.account.id).collect())
}

fn member_ids(list: &Value) -> Result<Vec<String>, ScimError> {
    let items = list.as_array().ok_or_else(|| ScimError::InvalidValue("members must be an array".into()))?;
    items
        .iter()
        .map(|m| {
            m["value"]
                .as_str()
                .filter(|v| v.len() <= 128)
                .map(String::from)
                .ok_or_else(|| ScimError::InvalidValue("each member needs a value (a user id)".into()))
        })
        .collect()
}
