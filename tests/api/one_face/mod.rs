//! One face, one identity (issue 13, part 4): a registration whose face matches another
//! enrolled identity is held for city staff, who approve or refuse it; the held person does
//! no face-checked act meanwhile; concurrent registrations of one face are decided one after
//! the other; every instance's index stays current.

use serde_json::{json, Value};

use crate::harness::{Answer, TestApp};
use crate::people::{person, photo, register_as};

mod held;
mod instances;

/// A valid ID number for a sequence number (GB 11643 check character).
pub(crate) fn id_number(n: usize) -> String {
    let body = format!("11010519900101{n:03}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A person signed in as `openid` registers under ID number `n` with new photos of the
/// fixture's face (`a`: person-a's portrait and selfie; otherwise the named photo twice).
pub(crate) async fn registers(app: &TestApp, openid: &str, n: usize, face: &str) -> (String, Answer) {
    let token = person(app, openid).await;
    let (portrait, selfie) = match face {
        "a" => (photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg")),
        other => (photo(other), photo(other)),
    };
    let answer = register_as(app, &token, &id_number(n), portrait, selfie).await;
    (token, answer)
}

/// Asserts the answer is a held registration, as the person is told.
fn is_held(answer: &Answer) {
    answer.expect(202);
    assert_eq!(answer.body["status"], "held_for_review", "{}", answer.text);
    assert_eq!(answer.body["notice"]["code"], "person.registration_held");
    assert!(!answer.body["notice"]["message_zh"].as_str().unwrap().is_empty());
}

/// The reviews city staff list (`state`: held, approved, refused, all).
async fn reviews(app: &TestApp, city: &str, state: &str) -> Vec<Value> {
    let answer = app
        .get(
            &format!("/api/v1/people/registration-reviews?state={state}"),
            Some(city),
        )
        .await;
    answer.expect(200);
    answer.body.as_array().unwrap().clone()
}

async fn decide(app: &TestApp, token: &str, review: &str, decision: &str) -> Answer {
    let body = json!({"decision": decision, "reason": "现场核验身份证原件"});
    app.post(
        &format!("/api/v1/people/registration-reviews/{review}/decision"),
        body,
        Some(token),
    )
    .await
}

/// The masked ID numbers of a review's matches, nearest first.
fn matched(review: &Value) -> Vec<String> {
    review["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["identity"]["id_number"].as_str().unwrap_or("gone").to_owned())
        .collect()
}

/// `110105********NNNX` as the API masks `id_number(n)`.
pub(crate) fn masked(n: usize) -> String {
    let full = id_number(n);
    format!("{}********{}", &full[..6], &full[14..])
}
