//! A selected person who leaves during check-in: the task shows it, cannot pass with them, and
//! the enterprise replaces them with a new selection reviewed again. Approval refuses a
//! selection with someone who has left, and a person lists the tasks awaiting their check-in.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::Engine;
use crate::people::{person, photo, register_as};

use super::{approved, check_in, employ, end, north, require, review, select, set_site, setup, Setup, Try, SITE};

both_engines!(
    a_person_who_left_is_replaced_and_the_task_then_passes,
    approval_refuses_a_selection_with_someone_who_left,
    dropping_the_leaver_passes_the_task_when_the_rest_checked_in,
    a_person_lists_the_tasks_awaiting_their_check_in
);

const R_ID: &str = "110105198505050038";

/// A third person, registered and employed at A with a title: the replacement for `titled`.
async fn hire_r(s: &Setup) -> (String, String) {
    let app = &s.app;
    let r = person(app, "openid-r").await;
    register_as(app, &r, R_ID, photo("person-c.jpg"), photo("person-c.jpg"))
        .await
        .expect(200);
    let title = json!({"kind": "title", "name": "工程师", "specialty": "结构"});
    let employment = employ(app, &s.a, &r, R_ID, photo("person-c.jpg"), title).await;
    (r, employment)
}

fn at<'a>(token: &'a str, photo: &'a str) -> Try<'a> {
    Try {
        token,
        photo,
        lat: SITE.0 + north(15.0),
        lon: SITE.1,
        system: "wgs84",
        accuracy: 15.0,
        mock: false,
    }
}

async fn task(s: &Setup, token: &str) -> Value {
    let answer = s
        .app
        .get(&format!("/api/v1/verification/tasks/{}", s.task), Some(token))
        .await;
    answer.expect(200);
    answer.body
}

async fn replace(s: &Setup, ids: &[&str]) -> crate::harness::Answer {
    s.app
        .post(
            &format!("/api/v1/verification/tasks/{}/replacement", s.task),
            json!({"employment_ids": ids}),
            Some(&s.a),
        )
        .await
}

async fn a_person_who_left_is_replaced_and_the_task_then_passes(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let (r, r_job) = hire_r(&s).await;
    let p = person(app, "openid-p").await;
    replace(&s, &[&s.lead, &r_job])
        .await
        .expect_problem(409, "verification.nothing_to_replace");
    end(&s, &s.titled).await;

    let shown = task(&s, &s.a).await;
    assert_eq!(shown["needs_replacement"], true);
    let left = shown["selection"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["employment_id"] == s.titled.as_str())
        .unwrap();
    assert_eq!(
        (left["employed"].as_bool(), left["name"].as_str()),
        (Some(false), Some("张三"))
    );
    assert_eq!(left["id_number"], "110105********0016");

    // The one still employed checks in; the task cannot pass while the leaver is selected.
    let first = check_in(&s, at(&p, "person-a-selfie.jpg")).await;
    first.expect(201);
    assert_eq!(first.body["task_state"], "checking_in");

    // Only the leaver may go, everyone else stays, and the result meets the rules again.
    replace(&s, &[&r_job])
        .await
        .expect_problem(422, "verification.replacement_drops_employed");
    let kept = replace(&s, &[&s.lead, &s.titled, &r_job]).await;
    kept.expect_problem(422, "verification.replacement_keeps_ended");
    assert!(
        kept.body["detail"].as_str().unwrap().contains("110105********0016"),
        "{}",
        kept.text
    );
    replace(&s, &[&s.lead])
        .await
        .expect_problem(422, "verification.too_few_in_total");
    let proposed = replace(&s, &[&s.lead, &r_job]).await;
    proposed.expect(200);
    assert_eq!(proposed.body["state"], "replacement_submitted");
    let proposal: Vec<&str> = proposed.body["proposed_replacement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["employment_id"].as_str().unwrap())
        .collect();
    assert_eq!(proposal.len(), 2);
    assert!(proposal.contains(&r_job.as_str()) && proposal.contains(&s.lead.as_str()));

    // Reviewed like a selection: only in jurisdiction; r cannot check in before approval.
    review(&s, &s.shizhong, "approve")
        .await
        .expect_problem(404, "resource.not_found");
    let window = shown["window_end"].clone();
    let approved = review(&s, &s.lixia, "approve").await;
    approved.expect(200);
    assert_eq!(approved.body["state"], "checking_in");
    assert_eq!(
        approved.body["window_end"], window,
        "the window stays as first approved"
    );
    assert_eq!(approved.body["needs_replacement"], false);
    let selected: Vec<&str> = approved.body["selection"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["employment_id"].as_str().unwrap())
        .collect();
    assert!(selected.contains(&r_job.as_str()) && !selected.contains(&s.titled.as_str()));
    assert_eq!(
        approved.body["reviews"].as_array().unwrap().last().unwrap()["subject"],
        "replacement"
    );
    let told: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications n JOIN person_identities i ON i.person_id = n.recipient_id \
         WHERE n.kind = 'verification.check_in_open' AND i.id_number_masked = '110105********0038'",
    )
    .fetch_one(&app.state.db)
    .await
    .unwrap();
    assert_eq!(told, 1, "the newcomer is told in their inbox");

    // Elsewhere on the site: the very same coordinates as p's would be flagged for review.
    let elsewhere = Try {
        lat: SITE.0 + north(40.0),
        ..at(&r, "person-c.jpg")
    };
    let last = check_in(&s, elsewhere).await;
    last.expect(201);
    assert_eq!(last.body["task_state"], "passed");
}

async fn approval_refuses_a_selection_with_someone_who_left(engine: Engine) {
    let s = setup(engine).await;
    set_site(&s).await;
    select(&s, &[&s.lead, &s.titled]).await.expect(200);
    end(&s, &s.titled).await;
    let refused = review(&s, &s.lixia, "approve").await;
    refused.expect_problem(409, "verification.person_not_employed");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("张三（110105********0016）"),
        "{}",
        refused.text
    );
    assert_eq!(task(&s, &s.lixia).await["state"], "selection_submitted");
    // Rejected, the enterprise selects again; the leaver is no longer a candidate and named.
    review(&s, &s.lixia, "reject").await.expect(200);
    let again = select(&s, &[&s.lead, &s.titled]).await;
    again.expect_problem(422, "verification.person_not_qualified");
    assert!(
        again.body["detail"].as_str().unwrap().contains("110105********0016"),
        "{}",
        again.text
    );
    assert!(
        !again.text.contains(&s.titled),
        "no internal id in the error: {}",
        again.text
    );
}

async fn a_person_lists_the_tasks_awaiting_their_check_in(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let mine = app.get("/api/v1/verification/tasks", Some(&p)).await;
    mine.expect(200);
    let tasks = mine.body.as_array().unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["id"], s.task.as_str());
    assert_eq!(tasks[0]["state"], "checking_in");
    let lines = tasks[0]["selection"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "a person sees their own line only");
    assert_eq!(lines[0]["checked_in"], false);
    assert_eq!(tasks[0]["reviews"], json!([]));
    // Someone else's task is not listed; nor is one for an employer they left.
    let outsider = person(app, "openid-x").await;
    let none = app.get("/api/v1/verification/tasks", Some(&outsider)).await;
    assert_eq!(none.body, json!([]));
    end(&s, &s.lead).await;
    let gone = app.get("/api/v1/verification/tasks", Some(&p)).await;
    assert_eq!(gone.body, json!([]));
}

async fn dropping_the_leaver_passes_the_task_when_the_rest_checked_in(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    check_in(&s, at(&p, "person-a-selfie.jpg")).await.expect(201);
    end(&s, &s.titled).await;
    // The standard now asks for one registered person only: the lead alone is enough.
    let city = app.login_staff("city1", "Passw0rd-staff").await;
    require(app, &city, 1, 0).await;
    replace(&s, &[&s.lead]).await.expect(200);
    let approved = review(&s, &s.lixia, "approve").await;
    approved.expect(200);
    assert_eq!(approved.body["state"], "passed", "{}", approved.text);
}
