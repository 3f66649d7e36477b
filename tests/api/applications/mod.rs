//! Applications (办件): every service's happy path and every precondition, the approval chain
//! walked by the right accounts only, the effect on the certificate and its track, notices,
//! the public list of cancellations, the scope of each kind of caller, and one application in
//! progress per person under parallel requests.

use serde_json::{json, Value};

use crate::certificates::{id_of, import_certificates, world, World};
use crate::harness::{Answer, TestApp};

mod cancellation;
mod desk;
mod employer_change;
mod issue;
mod renewal;

/// The certificates world (`certificates::world`) with its certificates imported: the person
/// holds B-1 (A, in use), T-2 (B: employer differs), A-3 (expired), T-4 and T-5 (too many),
/// C-6 (newly archived) and T-7 (transferred in).
pub(crate) async fn with_certificates(engine: crate::harness::Engine) -> World {
    let w = world(engine).await;
    import_certificates(&w).await;
    w
}

/// The field error codes of a problem answer.
pub(crate) fn codes(answer: &Answer) -> Vec<String> {
    answer.body["errors"]
        .as_array()
        .unwrap_or(&vec![])
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

pub(crate) async fn service(w: &World, number: &str, path: &str, body: Value) -> Answer {
    let id = id_of(w, number).await;
    w.app
        .post(&format!("/api/v1/people/me/certificates/{id}/{path}"), body, Some(&w.p))
        .await
}

pub(crate) async fn confirm(app: &TestApp, token: &str, id: &str, decision: &str) -> Answer {
    let body = json!({"decision": decision, "opinion": "资料不全"});
    app.post(&format!("/api/v1/applications/{id}/confirm"), body, Some(token))
        .await
}

pub(crate) async fn review(app: &TestApp, token: &str, id: &str, body: Value) -> Answer {
    app.post(&format!("/api/v1/applications/{id}/review"), body, Some(token))
        .await
}

pub(crate) fn approve() -> Value {
    json!({"decision": "approve"})
}

/// The application of an answer: its id, and what it waits for.
pub(crate) fn application(answer: &Answer) -> (String, Value) {
    let a = &answer.body["application"];
    (a["id"].as_str().unwrap().to_owned(), a["waiting_for"].clone())
}

/// The actions of an application's history, in order.
pub(crate) fn actions(answer: &Answer) -> Vec<String> {
    answer.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// A certificate as the city reads it, with its track.
pub(crate) async fn certificate(w: &World, number: &str) -> Value {
    let id = id_of(w, number).await;
    let answer = w.app.get(&format!("/api/v1/certificates/{id}"), Some(&w.city)).await;
    answer.expect(200);
    answer.body
}

/// The kinds of the person's inbox notices, newest first.
pub(crate) async fn notices(app: &TestApp, token: &str) -> Vec<String> {
    let answer = app.get("/api/v1/notifications", Some(token)).await;
    answer.expect(200);
    answer.body["items"]
        .as_array()
        .or_else(|| answer.body.as_array())
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

/// An upload of purpose `application_scan` by `token`.
pub(crate) async fn scan(app: &TestApp, token: &str) -> String {
    let answer = app
        .upload(token, "application_scan", "证书扫描件.pdf", crate::files::pdf(3000))
        .await;
    answer.expect(201);
    answer.body["id"].as_str().unwrap().to_owned()
}
