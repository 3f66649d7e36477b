//! Least privilege on biometrics (issue 13, part 5): a face photo (ID portrait, registration
//! selfie, acceptance selfie, check-in selfie, replaced photos) is readable by the person, and
//! by staff only when they decide about it in their jurisdiction (reviewers see the check-in
//! selfies of tasks in their district); a system administrator reads no face and looks no one
//! up. Out-of-scope documents answer 404, refused roles 403.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::Answer;
use crate::harness::Engine;
use crate::people::{photo, upload};

use super::review::at;
use super::{approved, check_in, Setup};

both_engines!(
    faces_are_read_by_the_person_and_the_deciding_staff_only,
    a_sysadmin_sees_no_person
);

/// Status of reading a document's metadata and asking for its download link.
async fn reads(s: &Setup, token: &str, document: &str) -> (u16, u16) {
    let meta = s.app.get(&format!("/api/v1/documents/{document}"), Some(token)).await;
    let link = s
        .app
        .get(&format!("/api/v1/documents/{document}/link"), Some(token))
        .await;
    (meta.status, link.status)
}

/// The ids of the person's documents a caller lists (staff name the owner).
async fn listed(s: &Setup, token: &str, person_id: &str) -> Vec<String> {
    let answer = s
        .app
        .get(
            &format!("/api/v1/documents?owner_kind=person&owner_id={person_id}&per_page=100"),
            Some(token),
        )
        .await;
    answer.expect(200);
    answer
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn faces_are_read_by_the_person_and_the_deciding_staff_only(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = crate::people::person(app, "openid-p").await;
    let checked_in = check_in(&s, at(&p, "person-a-selfie.jpg", 20.0)).await;
    checked_in.expect(201);
    let check_in_selfie = checked_in.body["attempt"]["selfie_document_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A portrait replacement: the first pair stays stored, released.
    let portrait = upload(app, &p, "id_portrait", photo("person-a-portrait.jpg")).await;
    let selfie = upload(app, &p, "selfie", photo("person-a-selfie.jpg")).await;
    let body = json!({"portrait_document_id": portrait, "selfie_document_id": selfie});
    let put = app
        .client
        .put(app.url("/api/v1/people/me/portrait"))
        .bearer_auth(&p)
        .json(&body);
    app.send(put).await.expect(200);

    let me = app.get("/api/v1/people/me", Some(&p)).await;
    let p_id = me.body["id"].as_str().unwrap().to_owned();
    let own = listed(&s, &p, &p_id).await;
    // Two registration pairs, the acceptance selfie and the check-in selfie.
    assert_eq!(own.len(), 6, "{own:?}");
    assert!(own.contains(&check_in_selfie) && own.contains(&portrait) && own.contains(&selfie));
    let other_faces: Vec<&String> = own.iter().filter(|id| **id != check_in_selfie).collect();

    let city = app.staff_token("city2", "city", None).await;
    let admin = app.staff_token("root", "sysadmin", None).await;
    let supervisor = app.staff_token("sup", "supervisor", Some("370102")).await;
    for id in &own {
        assert_eq!(reads(&s, &p, id).await, (200, 200), "the person reads their own {id}");
        for (who, token) in [
            ("sysadmin", &admin),
            ("other district", &s.shizhong),
            ("supervisor", &supervisor),
            ("enterprise", &s.a),
        ] {
            assert_eq!(reads(&s, token, id).await, (404, 404), "{who} reads {id}");
        }
    }
    // The reviewers in jurisdiction read the check-in selfie, and no other face of the person.
    for (who, token) in [("district", &s.lixia), ("city", &city)] {
        assert_eq!(reads(&s, token, &check_in_selfie).await, (200, 200), "{who}");
        for id in &other_faces {
            assert_eq!(reads(&s, token, id).await, (404, 404), "{who} reads {id}");
        }
        assert_eq!(
            listed(&s, token, &p_id).await,
            std::slice::from_ref(&check_in_selfie),
            "{who}"
        );
    }
    for token in [&admin, &s.shizhong] {
        assert!(listed(&s, token, &p_id).await.is_empty());
    }
    // The link a reviewer got works; it is the permission.
    let link = app
        .get(&format!("/api/v1/documents/{check_in_selfie}/link"), Some(&s.lixia))
        .await;
    let url = link.body["url"].as_str().unwrap();
    assert!(app.client.get(url).send().await.unwrap().status().is_success());
}

async fn a_sysadmin_sees_no_person(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = crate::people::person(app, "openid-p").await;
    check_in(&s, at(&p, "person-a-selfie.jpg", 20.0)).await.expect(201);
    let admin = app.staff_token("root", "sysadmin", None).await;
    let city = app.staff_token("city2", "city", None).await;
    let forbidden = |answer: Answer| {
        answer.expect_problem(403, "auth.forbidden_role");
    };
    // Looking a person up by ID number: city staff only.
    let lookup = json!({"id_number": crate::people::ID});
    forbidden(app.post("/api/v1/people/lookup", lookup.clone(), Some(&admin)).await);
    app.post("/api/v1/people/lookup", lookup, Some(&city)).await.expect(200);
    // Tasks (their selections name people), progress, check-in reviews, employment.
    let task = &s.task;
    for path in [
        "/api/v1/verification/tasks".to_owned(),
        format!("/api/v1/verification/tasks/{task}"),
        format!("/api/v1/verification/tasks/{task}/progress"),
        format!("/api/v1/verification/tasks/{task}/progress.csv"),
        "/api/v1/verification/reviews".to_owned(),
        "/api/v1/employment/relations".to_owned(),
        "/api/v1/employment/requests".to_owned(),
        format!("/api/v1/employment/relations/{}/certificates", s.lead),
    ] {
        forbidden(app.get(&path, Some(&admin)).await);
        let allowed = app.get(&path, Some(&s.lixia)).await;
        assert_eq!(allowed.status, 200, "{path}: {}", allowed.text);
    }
    let relations = app.get("/api/v1/employment/relations", Some(&city)).await;
    assert!(!relations.body.as_array().unwrap().is_empty());
    // What a sysadmin is for still works: accounts.
    let staff: Value = app.get("/api/v1/staff", Some(&admin)).await.body;
    assert!(staff.as_array().is_some_and(|list| !list.is_empty()), "{staff}");
}
