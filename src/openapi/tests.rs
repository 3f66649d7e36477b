use std::collections::BTreeSet;

use serde_json::Value;

use super::{contract, document_json, document_problems};
use crate::platform::error::{catalogue, PROBLEM_JSON};

#[test]
fn schema_names_and_operation_ids_are_unique_and_every_reference_is_defined() {
    let problems = document_problems();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_repeated_operation_id_is_caught() {
    let document = serde_json::json!({"paths": {
        "/a": {"get": {"operationId": "list"}, "post": {"operationId": "create"}},
        "/b": {"get": {"operationId": "list"}},
    }});
    let problems = contract::repeated_operation_ids(&document);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("list") && problems[0].contains("get /a") && problems[0].contains("get /b"));
}

#[test]
fn every_error_answer_is_a_problem_document_with_a_catalogued_code() {
    let json: Value = serde_json::from_str(&document_json()).unwrap();
    let codes: BTreeSet<&str> = json["components"]["schemas"]["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), catalogue::CODES.len());
    assert_eq!(json["x-error-codes"].as_array().unwrap().len(), catalogue::CODES.len());
    for (path, item) in json["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if status.parse::<u16>().unwrap() >= 400 {
                    let content = response["content"].as_object().unwrap();
                    assert_eq!(
                        content.keys().collect::<Vec<_>>(),
                        [PROBLEM_JSON],
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

#[test]
fn operations_document_the_errors_of_what_they_take() {
    let json: Value = serde_json::from_str(&document_json()).unwrap();
    let errors = contract::documented_errors(&json);
    let login = &errors["POST /api/v1/auth/staff/login"];
    for status in [400, 403, 413, 415, 422, 429, 503] {
        assert!(login.contains(&status), "login documents {status}: {login:?}");
    }
    let me = &errors["GET /api/v1/auth/me"];
    assert!(me.contains(&401) && me.contains(&403), "{me:?}");
    for (operation, statuses) in &errors {
        if operation.contains('{') && operation.contains("/api/") {
            assert!(statuses.contains(&404), "{operation} documents 404");
        }
    }
}
