//! The hours a renewal counts (`training::passed_hours`): passed records only, of the holder,
//! kind and category asked, completed within the dates (both included).

use serde_json::json;

use super::{enter, institution, record};
use crate::both_engines;
use crate::certificates::id_number;
use crate::harness::{Engine, TestApp};
use crate::people::ID;

both_engines!(training_passed_hours_count_passed_records_in_range);

async fn training_passed_hours_count_passed_records_in_range(engine: Engine) {
    let app = TestApp::start(engine).await;
    assert_eq!(app.state.settings.applications.renewal_education_hours, 24);
    let city = app.staff_token("city1", "city", None).await;
    let (_, one) = institution(&app, &city, "train-a").await;
    let (_, two) = institution(&app, &city, "train-b").await;
    let other = id_number("11010519800101001");
    let entries = [
        (&one, ID, "special", "建筑电工", 24, "2025-03-01", true),
        (&two, ID, "special", "electrician", 8, "2026-01-10", true),
        (&one, ID, "special", "electrician", 16, "2025-06-01", false),
        (&one, ID, "special", "scaffolder", 12, "2025-05-01", true),
        (&one, ID, "B", "", 10, "2025-05-01", true),
        (&one, other.as_str(), "special", "electrician", 30, "2025-05-01", true),
    ];
    for (i, (token, id_number, kind, category, hours, completed_on, passed)) in entries.into_iter().enumerate() {
        let mut body = record(id_number);
        body["certificate_kind"] = json!(kind);
        body["category"] = json!(category);
        body["course"] = json!(format!("课程{i}"));
        body["hours"] = json!(hours);
        body["completed_on"] = json!(completed_on);
        body["passed"] = json!(passed);
        enter(&app, token, body).await.expect(201);
    }
    let holder = zhujian::people::id_number_key(&app.state.keys, ID);
    let hours = |kind: &'static str, category: &'static str, from: &'static str, to: &'static str| {
        let (db, holder) = (app.state.db.clone(), holder.clone());
        async move {
            zhujian::training::passed_hours(&db, &holder, kind, category, from, to)
                .await
                .unwrap()
        }
    };
    // The failed 16 hours and the other holder's 30 never count; the dates bound both ends.
    assert_eq!(hours("special", "electrician", "2025-01-01", "2025-12-31").await, 24);
    assert_eq!(hours("special", "electrician", "2025-01-01", "2026-12-31").await, 32);
    assert_eq!(hours("special", "electrician", "2025-03-01", "2025-03-01").await, 24);
    assert_eq!(hours("special", "electrician", "2025-03-02", "2026-01-09").await, 0);
    assert_eq!(hours("special", "scaffolder", "2025-01-01", "2026-12-31").await, 12);
    assert_eq!(hours("safety_b", "", "2025-01-01", "2026-12-31").await, 10);
    assert_eq!(hours("safety_a", "", "2025-01-01", "2026-12-31").await, 0);
    let other_holder = zhujian::people::id_number_key(&app.state.keys, &other);
    let db = app.state.db.clone();
    assert_eq!(
        zhujian::training::passed_hours(&db, &other_holder, "special", "electrician", "2025-01-01", "2025-12-31")
            .await
            .unwrap(),
        30
    );
}
