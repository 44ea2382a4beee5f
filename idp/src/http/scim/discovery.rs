//! What this SCIM server offers (RFC 7644 §4): the service provider configuration, the
//! resource types and the schemas of the attributes it reads and writes.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::users::{ENTERPRISE, USER_SCHEMA};
use super::{MAX_COUNT, ScimError, list_response, scim_json};
use crate::state::AppState;

/// Discovery needs no token (RFC 7644 §4: it MAY be public), and holds no data.
pub async fn service_provider_config(State(state): State<AppState>) -> Response {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_COUNT },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
            "description": "An access token of a machine client (client_credentials) with the scope scim:write.",
        }],
        "meta": { "resourceType": "ServiceProviderConfig",
                  "location": state.issuer.endpoint("/scim/v2/ServiceProviderConfig") },
    });
    scim_json(StatusCode::OK, &body)
}

fn resource_types_of(state: &AppState) -> Vec<Value> {
    vec![
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
                "endpoint": "/Users", "description": "Civil servants (ASN), keyed on NIP", "schema": USER_SCHEMA,
                "schemaExtensions": [{ "schema": ENTERPRISE, "required": false }],
                "meta": { "resourceType": "ResourceType", "location": state.issuer.endpoint("/scim/v2/ResourceTypes/User") } }),
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group",
                "endpoint": "/Groups", "description": "Agencies (OPD) and the civil servants working there",
                "schema": "urn:ietf:params:scim:schemas:core:2.0:Group",
                "meta": { "resourceType": "ResourceType", "location": state.issuer.endpoint("/scim/v2/ResourceTypes/Group") } }),
    ]
}

pub async fn resource_types(State(state): State<AppState>) -> Response {
    let all = resource_types_of(&state);
    list_response(all.len() as i64, 1, all)
}

pub async fn resource_type(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ScimError> {
    let Ok(Path(id)) = id else { return Err(ScimError::NotFound) };
    let found = resource_types_of(&state).into_iter().find(|r| r["id"] == id.as_str()).ok_or(ScimError::NotFound)?;
    Ok(scim_json(StatusCode::OK, &found))
}

fn attribute(name: &str, kind: &str, multi: bool, required: bool, mutability: &str, description: &str) -> Value {
    json!({ "name": name, "type": kind, "multiValued": multi, "required": required, "caseExact": false,
            "mutability": mutability, "returned": "default", "uniqueness": if name == "userName" { "server" } else { "none" },
            "description": description })
}

fn schemas_of(state: &AppState) -> Vec<Value> {
    let value = |d: &str| attribute("value", "string", false, false, "readWrite", d);
    let mut emails = attribute(
        "emails",
        "complex",
        true,
        false,
        "readWrite",
        "Email addresses; the primary (or first) one receives activation codes",
    );
    emails["subAttributes"] = json!([
        value("The address"),
        attribute("type", "string", false, false, "readWrite", "work"),
        attribute("primary", "boolean", false, false, "readWrite", "The one used")
    ]);
    let mut phones =
        attribute("phoneNumbers", "complex", true, false, "readWrite", "Indonesian mobile numbers (08… or +628…)");
    phones["subAttributes"] =
        json!([value("The number"), attribute("type", "string", false, false, "readWrite", "mobile")]);
    let mut members =
        attribute("members", "complex", true, false, "readWrite", "The civil servants working in this OPD");
    members["subAttributes"] =
        json!([value("A User id"), attribute("display", "string", false, false, "readOnly", "The name")]);
    let location = |id: &str| state.issuer.endpoint(&format!("/scim/v2/Schemas/{id}"));
    vec![
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": USER_SCHEMA, "name": "User",
                "description": "A civil servant (ASN)",
                "attributes": [
                    attribute("userName", "string", false, true, "immutable", "The NIP (18 digits)"),
                    attribute("displayName", "string", false, true, "readWrite", "The full name"),
                    attribute("active", "boolean", false, false, "readWrite", "False when the person has left the service: the account is disabled at once"),
                    emails, phones,
                ],
                "meta": { "resourceType": "Schema", "location": location(USER_SCHEMA) } }),
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": ENTERPRISE, "name": "EnterpriseUser",
                "description": "Where the civil servant works",
                "attributes": [
                    attribute("department", "string", false, false, "readWrite", "The OPD code, as in the OPD register"),
                    attribute("employeeNumber", "string", false, false, "readOnly", "The NIP"),
                ],
                "meta": { "resourceType": "Schema", "location": location(ENTERPRISE) } }),
        json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], "id": "urn:ietf:params:scim:schemas:core:2.0:Group",
                "name": "Group", "description": "An agency (OPD)",
                "attributes": [attribute("displayName", "string", false, true, "readOnly", "The OPD's name"), members],
                "meta": { "resourceType": "Schema", "location": location("urn:ietf:params:scim:schemas:core:2.0:Group") } }),
    ]
}

pub async fn schemas(State(state): State<AppState>) -> Response {
    let all = schemas_of(&state);
    list_response(all.len() as i64, 1, all)
}

pub async fn schema(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ScimError> {
    let Ok(Path(id)) = id else { return Err(ScimError::NotFound) };
    let found = schemas_of(&state).into_iter().find(|s| s["id"] == id.as_str()).ok_or(ScimError::NotFound)?;
    Ok(scim_json(StatusCode::OK, &found))
}
