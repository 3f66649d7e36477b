//! The EXPLAIN guard (issue 19): every query the list, search and detail endpoints run on
//! PostgreSQL is served by an index. The endpoints are driven over HTTP, every GET operation of
//! the served OpenAPI document as every kind of caller, with and without its filters, against
//! two small worlds (certificates with applications, exams, projects, assessments, training;
//! a verification task approved); the statements are read back from the PostgreSQL log
//! (capture.rs) and each query's generic plan is explained with sequential scans disabled
//! (plans.rs). A Seq Scan left on a table that grows with the city fails the test.
//! PostgreSQL only: SQLite has no planner settings worth guarding.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::harness::{Engine, TestApp};
use crate::people::{photo, ID};

mod capture;
mod plans;
mod sweep;

use sweep::{Hints, Sweep};

/// Tables that stay small whatever the size of the city, where a sequential scan is the best
/// plan: reference data and a handful of rows per district or per kind.
const SMALL_TABLES: &[&str] = &[
    // Staff accounts: a few hundred at most.
    "staff",
    // Seeded reference data and settings.
    "assessment_templates",
    "assessment_template_items",
    "daily_event_types",
    "grading_rules",
    "qualification_requirements",
    "wechat_templates",
    // One row each (heads of chains), or one per background job.
    "audit_head",
    "face_index_head",
    "job_leases",
    // A few batches per district and exam type a year.
    "exam_batches",
    // Some dozens of training institutions in a city.
    "training_institutions",
];

/// Whole reads accepted, each by a part of the query's text and the table, with the reason.
const ACCEPTED: &[(&str, &str)] = &[
    // Results (assessment results, grades and ranks) are computed when read for every subject
    // in the caller's scope, and only then paged: the whole scope is read by design. With a
    // district, the district's subjects (custom plans use `enterprises_district`,
    // `projects_district`); the whole city for city staff. Issue 19's bench measures the page.
    ("SELECT e.id AS subject_id", "enterprises"),
    ("SELECT p.id AS subject_id", "projects"),
    // A district's certificates: those of its enterprises, joined by credit code. On default
    // statistics (200 distinct values per column) the planner takes an enterprise to hold
    // 5,000 certificates and reads them all instead of the district's enterprises first
    // (`enterprises_district`, then `certificates_enterprise`), the plan it takes with the
    // test's statistics. The scope is a district, sorted after the union, either way.
    (
        "JOIN enterprises e ON e.credit_code = x.enterprise_credit_code WHERE e.district_code",
        "certificates",
    ),
    // The decisions on a task's check-ins (its page and progress): decisions are few (staff
    // reviews of flagged check-ins, appeals and their decisions; at most three per attempt),
    // but without statistics the planner takes an attempt to have 5,000 of them and reads
    // the decisions first; on real statistics it hashes the (small) decisions table. Reading
    // them by task would need the task on each decision: a follow-up of issue 19.
    (
        "FROM check_in_decisions d JOIN check_in_attempts a ON a.id = d.attempt_id WHERE a.task_id",
        "check_in_decisions",
    ),
    // A face photo under review: the matches of held registration reviews. Both sides are the
    // small queue of held registrations (a duplicate face, decided by city staff); without
    // statistics the planner reads the matches' primary key before the held reviews.
    (
        "FROM registration_review_matches m JOIN registration_reviews r ON r.id = m.review_id",
        "registration_review_matches",
    ),
];

mod list_and_search_queries_use_indexes {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::list_and_search_queries_use_indexes().await
    }
}

async fn list_and_search_queries_use_indexes() {
    let started = std::time::Instant::now();
    let mut sweep = Sweep::default();
    // Each query with the world (database) that first ran it.
    let mut queries: BTreeMap<String, usize> = BTreeMap::new();
    let mut worlds = Vec::new();

    let w = certificates_world().await;
    let (app, hints) = (&w.0, &w.2);
    let mut callers: Vec<Option<&str>> = w.1.iter().map(|t| Some(t.as_str())).collect();
    callers.push(None);
    capture_sweep(app, &callers, hints, &mut sweep, &mut queries, worlds.len()).await;
    worlds.push(("certificates", app.database_url.clone()));

    let v = crate::verification::approved(Engine::Postgres).await;
    let city = v.app.staff_token("city9", "city", None).await;
    let p = crate::people::person(&v.app, "openid-p").await;
    let q = crate::people::person(&v.app, "openid-q").await;
    waiting_check_ins(&v, &p, &q).await;
    let callers = [
        Some(city.as_str()),
        Some(&v.lixia),
        Some(&v.a),
        Some(&p),
        Some(&q),
        None,
    ];
    let hints = Hints { by_name: vec![] };
    capture_sweep(&v.app, &callers, &hints, &mut sweep, &mut queries, worlds.len()).await;
    worlds.push(("verification", v.app.database_url.clone()));

    // Every operation was answered at least once: a new endpoint is reached or the test says
    // why not.
    let unreached: Vec<&String> = sweep
        .answered
        .iter()
        .filter(|(_, statuses)| !statuses.iter().any(|s| *s < 300))
        .map(|(op, _)| op)
        .collect();

    // Each query is planned in every world and judged in the one where the fewest of the
    // tables it reads are empty: there the planner's costs mean the most.
    let mut planners = Vec::new();
    for (_, url) in &worlds {
        planners.push(plans::Planner::connect(url, SMALL_TABLES).await);
    }
    let mut findings = Vec::new();
    let mut failures = Vec::new();
    for query in queries.keys() {
        let mut best: Option<(usize, plans::Plan)> = None;
        for (n, planner) in planners.iter_mut().enumerate() {
            match planner.plan(query).await {
                Ok(plan) if best.as_ref().is_none_or(|(_, b)| plan.empty < b.empty) => best = Some((n, plan)),
                Ok(_) => {}
                Err(e) => failures.push(format!("{e}:\n{query}\n")),
            }
        }
        let Some((n, plan)) = best else { continue };
        for plans::Scan { table, how } in plan.scans {
            let small = SMALL_TABLES.contains(&table.as_str());
            let accepted = ACCEPTED.iter().any(|(part, t)| *t == table && query.contains(part));
            if !small && !accepted {
                let world = worlds[n].0;
                findings.push(format!("{how} on {table} ({world}):\n{query}\n{}", plan.outline));
            }
        }
    }
    eprintln!(
        "explain guard: {} queries from {} operations, in {:?}",
        queries.len(),
        sweep.answered.len(),
        started.elapsed()
    );
    let mut problems = Vec::new();
    if !unreached.is_empty() {
        problems.push(format!(
            "operations never answered 2xx (seed what they need): {unreached:?}\n{:?}",
            sweep.answered
        ));
    }
    if !failures.is_empty() {
        problems.push(format!("queries that could not be explained:\n{}", failures.join("\n")));
    }
    if !findings.is_empty() {
        problems.push(format!(
            "{} sequential scans of tables that grow with the city:\n{}",
            findings.len(),
            findings.join("\n")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// A check-in flagged for review and a refused one appealed: the staff queues' reads are
/// judged on attempts and decisions that exist (on empty tables only a Seq Scan would count;
/// issue 19's city bench found those queues reading every refused attempt of the history).
async fn waiting_check_ins(v: &crate::verification::Setup, p: &str, q: &str) {
    use crate::verification::review::{at, flagged};
    crate::verification::check_in(v, at(p, "person-b.jpg", 1000.0))
        .await
        .expect_problem(422, "check_in.outside");
    flagged(v, q, "person-b.jpg").await;
    let attempts = v
        .app
        .get(&format!("/api/v1/verification/tasks/{}/check-ins", v.task), Some(&v.a))
        .await;
    attempts.expect(200);
    let refused = attempts
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["outcome"] == "refused")
        .unwrap();
    let appeal = format!(
        "/api/v1/verification/check-ins/{}/appeal",
        refused["id"].as_str().unwrap()
    );
    let note = json!({"note": "当日 GPS 信号受高层建筑遮挡，人员确在现场"});
    v.app.post(&appeal, note, Some(&v.a)).await.expect(200);
}

/// Sweeps through a logged instance of `app` and adds the queries it ran.
async fn capture_sweep(
    app: &TestApp,
    callers: &[Option<&str>],
    hints: &Hints,
    sweep: &mut Sweep,
    queries: &mut BTreeMap<String, usize>,
    world: usize,
) {
    let base = capture::logged_instance(app).await;
    let log = capture::Log::from_here();
    sweep.run(app, &base, callers, hints).await;
    let database = capture::database_name(&app.database_url);
    let found: BTreeSet<String> = log.queries(&database);
    assert!(
        !found.is_empty(),
        "no statement logged for {database}: the PostgreSQL log needs `db=%d` in log_line_prefix (scripts/test.sh sets it)"
    );
    for q in found {
        queries.entry(q).or_insert(world);
    }
}

/// The certificates world with its certificates imported, a cancellation applied for, an
/// assessment, an exam batch and a registration, a project, a training institution and its
/// record; callers of every role and the anonymous one.
async fn certificates_world() -> (TestApp, Vec<String>, Hints) {
    let w = crate::applications::with_certificates(Engine::Postgres).await;
    let cancellation = json!({"reason": "duplicate", "commitment_accepted": true});
    crate::applications::service(&w, "T-5", "cancellation", cancellation)
        .await
        .expect(201);
    let app = w.app;
    crate::assessments::create(&app, &w.a, "general_conditions", "2026").await;
    let batch_body = crate::exams::batch_body(&app, "370102", 10);
    let batch = crate::exams::publish(&app, &w.lixia, batch_body).await;
    let me = app.get("/api/v1/people/me", Some(&w.p)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    crate::exams::register(&app, &w.a, &batch, &me).await;
    let project = crate::projects::project("P-1", "370102", crate::certificates::A);
    let project = app.post("/api/v1/projects", project, Some(&w.city)).await;
    project.expect(201);
    let project = project.body["id"].as_str().unwrap().to_owned();
    let points = app.client.put(app.url("/api/v1/daily-event-types/award_provincial"));
    app.send(points.bearer_auth(&w.city).json(&json!({"points": 4.0})))
        .await
        .expect(200);
    let evidence = crate::assessments::scan(&app, &w.a).await;
    let bonus = json!({"type_code": "award_provincial", "project_id": project, "occurred_on": "2026-10-15",
                       "description": "获评省级安全文明标准化工地", "document_ids": [evidence]});
    app.post("/api/v1/daily-events", bonus, Some(&w.a)).await.expect(201);
    // Another ID number with the same face: a registration held for review.
    let y = crate::people::person(&app, "openid-y").await;
    let (portrait, selfie) = (photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"));
    crate::people::register_as(&app, &y, &crate::one_face::id_number(2), portrait, selfie)
        .await
        .expect(202);
    let (_, training) = crate::training::institution(&app, &w.city, "train1").await;
    crate::training::enter(&app, &training, crate::training::record(ID))
        .await
        .expect(201);
    let admin = app.staff_token("root", "sysadmin", None).await;
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let start = format!("/api/v1/projects/{project}/assessments");
    app.post(&start, json!({"period": "2026"}), Some(&supervisor))
        .await
        .expect(201);
    let hints = Hints {
        by_name: vec![
            ("number", "B-1".into()),
            ("id_number", ID.into()),
            ("name", "张三".into()),
            ("enterprise_credit_code", crate::certificates::A.into()),
            ("category", "建筑电工".into()),
            ("period", "2026".into()),
            ("year", "2026".into()),
            ("district", "370102".into()),
            ("exam_type", "safety_b".into()),
            ("owner_kind", "person".into()),
            ("owner_id", me.clone()),
        ],
    };
    let callers = vec![admin, w.city, w.lixia, supervisor, w.a, w.p, training];
    (app, callers, hints)
}

/// Every pooled PostgreSQL connection plans each statement for its values: a generic plan of an
/// optional filter (`$1 IS NULL OR column = $1`) cannot use the column's index.
mod statements_are_planned_for_their_values {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let app = crate::harness::TestApp::start(crate::harness::Engine::Postgres).await;
        let mut settings = Vec::new();
        for _ in 0..3 {
            let mut conn = app.state.db.acquire().await.unwrap();
            let mode: String = sqlx::query_scalar("SELECT current_setting('plan_cache_mode')")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            settings.push(mode);
        }
        assert_eq!(settings, ["force_custom_plan"; 3]);
    }
}
