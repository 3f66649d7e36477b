//! On-site check-in: refusals, flags, time windows, the radius fence and polygon sites.

use serde_json::{json, Value};

use crate::both_engines;
use crate::harness::Engine;
use crate::people::{person, photo, register_as};

use super::{approved, check_in, check_in_with, east, employ, north, Try, SITE};

both_engines!(
    check_in_refusals_flags_and_passing,
    check_in_window_selection_and_radius,
    polygon_sites_replace_the_circle,
);

async fn check_in_refusals_flags_and_passing(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let q = person(app, "openid-q").await;
    let at = |token, photo, lat, lon| Try {
        token,
        photo,
        lat,
        lon,
        system: "wgs84",
        accuracy: 20.0,
        mock: false,
    };

    let p_selfie = photo("person-a-selfie.jpg");
    let accepted = check_in_with(
        &s,
        at(&p, "person-a-selfie.jpg", SITE.0 + north(50.0), SITE.1),
        p_selfie.clone(),
    )
    .await;
    accepted.expect(201);
    assert_eq!(accepted.body["attempt"]["outcome"], "accepted");
    let distance = accepted.body["attempt"]["distance_m"].as_f64().unwrap();
    assert!((distance - 50.0).abs() < 1.0, "{distance}");
    assert!(accepted.body["attempt"]["face_distance"].as_f64().unwrap() < 0.5);
    assert_eq!(accepted.body["task_state"], "checking_in");
    check_in(&s, at(&p, "person-a-portrait.jpg", SITE.0, SITE.1))
        .await
        .expect_problem(409, "verification.already_checked_in");

    let outside = check_in(&s, at(&q, "person-b.jpg", SITE.0 + north(1000.0), SITE.1)).await;
    outside.expect_problem(422, "check_in.outside");
    assert!(
        outside.body["detail"].as_str().unwrap().contains("1000"),
        "{}",
        outside.text
    );
    let vague = check_in(
        &s,
        Try {
            accuracy: 500.0,
            ..at(&q, "person-b.jpg", SITE.0, SITE.1)
        },
    )
    .await;
    vague.expect_problem(422, "check_in.poor_accuracy");
    check_in(&s, at(&q, "person-c.jpg", SITE.0, SITE.1))
        .await
        .expect_problem(422, "face.mismatch");
    // P's check-in selfie sent again (by Q): refused before any face check.
    check_in_with(&s, at(&q, "person-a-selfie.jpg", SITE.0, SITE.1), p_selfie)
        .await
        .expect_problem(422, "photo.reused");
    // A spent challenge cannot be used again.
    let challenge = app
        .post(
            &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
            json!({}),
            Some(&q),
        )
        .await;
    let selfie = crate::people::upload(app, &q, "selfie", photo("person-b.jpg")).await;
    let body = json!({"challenge_id": challenge.body["challenge_id"], "selfie_document_id": selfie, "latitude": SITE.0 + north(900.0),
                      "longitude": SITE.1, "system": "wgs84", "accuracy_m": 10.0});
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body.clone(),
        Some(&q),
    )
    .await
    .expect_problem(422, "check_in.outside");
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in", s.task),
        body,
        Some(&q),
    )
    .await
    .expect_problem(422, "challenge.used");

    // 280 m east inside the 300 m fence, reported in GCJ-02 as Chinese maps do: within the
    // rules, but a mock-location flag holds it for staff review.
    let (glat, glon) = zhujian::verification::geofence::wgs84_to_gcj02(SITE.0, SITE.1 + east(280.0));
    let gcj = check_in(
        &s,
        Try {
            system: "gcj02",
            mock: true,
            ..at(&q, "person-b.jpg", glat, glon)
        },
    )
    .await;
    gcj.expect(201);
    assert_eq!(gcj.body["attempt"]["outcome"], "flagged");
    assert_eq!(gcj.body["attempt"]["flags"], "mock_location");
    assert!((gcj.body["attempt"]["distance_m"].as_f64().unwrap() - 280.0).abs() < 1.0);
    assert_eq!(
        gcj.body["task_state"], "checking_in",
        "a flagged check-in waits for staff and does not pass the task"
    );
    assert_eq!(gcj.body["attempt"]["awaiting"], "review");

    // Every attempt is kept for audit; the person sees only their own.
    let all = app
        .get(
            &format!("/api/v1/verification/tasks/{}/check-ins", s.task),
            Some(&s.lixia),
        )
        .await;
    let outcomes: Vec<&str> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes.iter().filter(|o| **o == "refused").count(), 7, "{outcomes:?}");
    assert_eq!(
        app.get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&p))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    app.get(
        &format!("/api/v1/verification/tasks/{}/check-ins", s.task),
        Some(&s.shizhong),
    )
    .await
    .expect_problem(404, "resource.not_found");
    app.get(&format!("/api/v1/verification/tasks/{}/check-ins", s.task), Some(&s.b))
        .await
        .expect_problem(404, "resource.not_found");
}

async fn check_in_window_selection_and_radius(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    // A repeated position is flagged: exactly the coordinates of an earlier valid check-in.
    let first = check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-selfie.jpg",
            lat: 36.6513,
            lon: 117.1202,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    first.expect(201);

    // Someone employed by the enterprise but not selected is refused; strangers see nothing.
    let r = person(app, "openid-r").await;
    register_as(
        app,
        &r,
        "110105198501010039",
        photo("person-c.jpg"),
        photo("person-c.jpg"),
    )
    .await
    .expect(200);
    employ(
        app,
        &s.a,
        &r,
        "110105198501010039",
        photo("person-c.jpg"),
        json!({"kind": "title", "name": "工程师", "specialty": "结构"}),
    )
    .await;
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
        json!({}),
        Some(&r),
    )
    .await
    .expect_problem(403, "verification.not_selected");
    let stranger = person(app, "openid-stranger").await;
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
        json!({}),
        Some(&stranger),
    )
    .await
    .expect_problem(404, "resource.not_found");

    // Staff narrow the site's fence: 50 m now.
    let narrow = json!({"site_radius_m": 50.0});
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.a)
            .json(&narrow),
    )
    .await
    .expect_problem(403, "enterprise.field_staff_only");
    app.send(
        app.client
            .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
            .bearer_auth(&s.lixia)
            .json(&narrow),
    )
    .await
    .expect(200);
    let q = person(app, "openid-q").await;
    let far = check_in(
        &s,
        Try {
            token: &q,
            photo: "person-b.jpg",
            lat: SITE.0 + north(120.0),
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    far.expect_problem(422, "check_in.outside");
    let same_spot = check_in(
        &s,
        Try {
            token: &q,
            photo: "person-b.jpg",
            lat: 36.6513,
            lon: 117.1202,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    same_spot.expect(201);
    assert_eq!(same_spot.body["attempt"]["flags"], "repeated_position");

    // After the window (one calendar month), no more check-ins.
    app.clock.advance_secs(32 * 24 * 3600);
    let p = person(app, "openid-p").await;
    app.post(
        &format!("/api/v1/verification/tasks/{}/check-in/challenge", s.task),
        json!({}),
        Some(&p),
    )
    .await
    .expect_problem(422, "verification.outside_window");
}

async fn polygon_sites_replace_the_circle(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let corner =
        |dn: f64, de: f64| json!({"latitude": SITE.0 + north(dn), "longitude": SITE.1 + east(de), "system": "wgs84"});
    let square =
        json!({"site_polygon": [corner(-50.0, -50.0), corner(50.0, -50.0), corner(50.0, 50.0), corner(-50.0, 50.0)]});
    let patch = |token: &str, body: Value| {
        app.send(
            app.client
                .patch(app.url(&format!("/api/v1/enterprises/{}", s.a_id)))
                .bearer_auth(token)
                .json(&body),
        )
    };
    patch(&s.a, square.clone())
        .await
        .expect_problem(403, "enterprise.field_staff_only");
    let line = json!({"site_polygon": [corner(0.0, 0.0), corner(10.0, 10.0)]});
    assert_eq!(
        patch(&s.lixia, line).await.body["errors"][0]["code"],
        "enterprise.polygon_vertices"
    );
    let set = patch(&s.lixia, square).await;
    set.expect(200);
    assert_eq!(set.body["site_polygon"].as_array().unwrap().len(), 4);

    // 120 m north: inside the default 300 m circle, but 70 m beyond the square.
    let p = person(app, "openid-p").await;
    let out = check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-selfie.jpg",
            lat: SITE.0 + north(120.0),
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    out.expect_problem(422, "check_in.outside");
    assert!(out.body["detail"].as_str().unwrap().contains("70"), "{}", out.text);
    let inside = check_in(
        &s,
        Try {
            token: &p,
            photo: "person-a-portrait.jpg",
            lat: SITE.0 + north(20.0),
            lon: SITE.1,
            system: "wgs84",
            accuracy: 10.0,
            mock: false,
        },
    )
    .await;
    inside.expect(201);
    assert_eq!(inside.body["attempt"]["distance_m"], 0.0);
}
