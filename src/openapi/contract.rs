//! Completes the generated document into a contract: every error answer an operation can give
//! is listed as `application/problem+json`, `Problem.code` is the enum of the error catalogue,
//! and the catalogue itself is published as `x-error-codes`.

#[cfg(test)]
use std::collections::BTreeMap;
use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::platform::error::{catalogue, PROBLEM_JSON};

/// The document with its error answers completed.
pub fn complete(document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut json = serde_json::to_value(&document).expect("the document serializes");
    publish_catalogue(&mut json);
    if let Some(paths) = json.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            let shared_params = item.get("parameters").cloned();
            for (method, operation) in item.iter_mut() {
                if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                    continue;
                }
                complete_operation(path, method, operation, shared_params.as_ref());
            }
        }
    }
    serde_json::from_value(json).expect("the completed document is an OpenAPI document")
}

fn publish_catalogue(json: &mut Value) {
    let codes: Vec<&str> = catalogue::CODES.iter().map(|c| c.code).collect();
    if let Some(schemas) = json.pointer_mut("/components/schemas") {
        for (schema, what) in [("Problem", "the answer's code"), ("ProblemField", "the field's code")] {
            if let Some(code) = schemas.pointer_mut(&format!("/{schema}/properties/code")) {
                *code = json!({
                    "type": "string",
                    "enum": codes,
                    "description": format!("{what}: one of the error catalogue (`x-error-codes`, mini-program-api/errors.json)"),
                });
            }
        }
    }
    if let Some(root) = json.as_object_mut() {
        root.insert(
            "x-error-codes".into(),
            serde_json::to_value(catalogue::CODES).expect("the catalogue serializes"),
        );
    }
}

/// The error statuses an operation can answer, from what it takes.
fn error_statuses(path: &str, method: &str, operation: &Value, shared_params: Option<&Value>) -> BTreeSet<u16> {
    let mut statuses = BTreeSet::new();
    if !path.starts_with("/api/") {
        return statuses;
    }
    // Every request may time out or find the database busy.
    statuses.extend([408, 503]);
    let secured = operation
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|r| !r.is_empty())));
    if secured {
        statuses.extend([401, 403]);
    }
    let params = operation
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .chain(shared_params.and_then(Value::as_array))
        .flatten();
    for param in params {
        match param.get("in").and_then(Value::as_str) {
            Some("path") => statuses.extend([400, 404]),
            Some("query") => statuses.extend([400, 422]),
            _ => {}
        }
    }
    if operation.get("requestBody").is_some() {
        statuses.extend([400, 413, 415, 422]);
    }
    if method != "get" {
        statuses.extend([404, 409, 422]);
    }
    // Sign-in, refresh and password reset are throttled per account and per address, and
    // refuse a disabled account or a blocked WeChat user (403) even where no token is needed.
    if method == "post" && path.starts_with("/api/v1/auth/") {
        statuses.extend([403, 429]);
    }
    statuses
}

fn complete_operation(path: &str, method: &str, operation: &mut Value, shared_params: Option<&Value>) {
    let statuses = error_statuses(path, method, operation, shared_params);
    let Some(responses) = operation
        .as_object_mut()
        .map(|o| o.entry("responses").or_insert_with(|| json!({})))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for status in statuses {
        responses
            .entry(status.to_string())
            .or_insert_with(|| json!({ "description": describe(status) }));
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
        if let (true, Some(response)) = (is_error, response.as_object_mut()) {
            if response.contains_key("$ref") {
                continue;
            }
            if response
                .get("description")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                let described = status.parse().map(describe).unwrap_or_default();
                response.insert("description".into(), Value::String(described));
            }
            let mut content = Map::new();
            content.insert(
                PROBLEM_JSON.into(),
                json!({ "schema": { "$ref": "#/components/schemas/Problem" } }),
            );
            response.insert("content".into(), Value::Object(content));
        }
    }
}

/// The description of an error answer: what the status means here and its codes.
fn describe(status: u16) -> String {
    let codes: Vec<&str> = catalogue::CODES
        .iter()
        .filter(|c| c.statuses.contains(&status))
        .map(|c| c.code)
        .collect();
    let what = match status {
        400 => "Malformed request (JSON, path or query parameter)",
        401 => "Not signed in, or the token is not valid",
        403 => "The caller's role or identity assurance does not allow this",
        404 => "No such object, or outside the caller's scope",
        408 => "The request took too long",
        409 => "The object's state does not allow this",
        413 => "The request body is too large",
        415 => "Wrong content type",
        422 => "Fields break their rules (see errors)",
        429 => "Too many attempts; see Retry-After",
        503 => "Temporarily unavailable; see Retry-After",
        _ => "Error",
    };
    if codes.len() <= 12 {
        format!("{what}: {}", codes.join(", "))
    } else {
        format!("{what}; codes with this status are listed in x-error-codes")
    }
}

/// An operation id used by more than one operation (OpenAPI requires them unique; generated
/// clients name their functions and types after them).
pub fn repeated_operation_ids(document: &Value) -> Vec<String> {
    let mut seen: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let paths = document.get("paths").and_then(Value::as_object).into_iter().flatten();
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                seen.entry(id).or_default().push(format!("{method} {path}"));
            }
        }
    }
    seen.into_iter()
        .filter(|(_, uses)| uses.len() > 1)
        .map(|(id, uses)| {
            format!(
                "operationId {id} is used by {}: give them distinct ids",
                uses.join(", ")
            )
        })
        .collect()
}

/// Every `$ref` in the document.
pub fn collect_refs(value: &Value, refs: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                refs.insert(reference.clone());
            }
            map.values().for_each(|v| collect_refs(v, refs));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}

/// Error statuses documented per operation, for tests: `METHOD path` to statuses.
#[cfg(test)]
pub fn documented_errors(json: &Value) -> BTreeMap<String, BTreeSet<u16>> {
    let mut out = BTreeMap::new();
    for (path, item) in json["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let statuses = operation["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(s, _)| s.parse::<u16>().ok())
                .filter(|s| *s >= 400)
                .collect();
            out.insert(format!("{} {path}", method.to_uppercase()), statuses);
        }
    }
    out
}
