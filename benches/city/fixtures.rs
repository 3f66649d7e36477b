//! The accounts both runs sign in as, written the same way into the empty and the city-scale
//! database with the product's own stores (staff, persons' registration) and plain rows where
//! the API would need an SMS or a face: city staff and a reviewer for two districts, enterprises
//! in 370102 with a site and a task checking in, workers selected for the first one's task, and
//! registered persons without an employer (the targets of employment requests). Every list
//! measured gets at least a full page (50) from the fixtures alone: one employee selected for
//! each other enterprise's task with a check-in flagged for review, each enterprise's
//! assessments (one approved, one waiting), fifty notifications per worker. So both runs answer
//! the same amount, and only the data underneath differs.

use zhujian::auth::Role;
use zhujian::platform::ids::DocumentId;

use crate::copy::{credit_code, id};

pub const PASSWORD: &str = "Bench-passw0rd";
pub const DISTRICT: &str = "370102";
/// The enterprises' registered site (the fence's centre).
pub const SITE: (f64, f64) = (36.6512, 117.1201);
pub const ENTERPRISES: u64 = 60;
/// Workers of the first enterprise, selected for its task: they sign in and check in.
pub const WORKERS: u64 = 16;
/// Registered persons without an employer: employment requests go to them.
pub const TARGETS: u64 = 32;

const FIXTURE: u32 = 0xF1;

pub fn enterprise_id(n: u64) -> String {
    id(FIXTURE, n)
}
pub fn enterprise_credit_code(n: u64) -> String {
    credit_code(DISTRICT, n, 'F')
}
/// The first enterprise's task (the one the workers check in for); `task_of(n)` the others'.
pub fn task_id() -> String {
    task_of(0)
}
fn task_of(n: u64) -> String {
    id(FIXTURE, 1000 + n)
}
pub fn worker_openid(n: u64) -> String {
    format!("bench-worker-{n}")
}
/// A fixture person's ID number: Beijing's address code, unlike the generated city.
pub fn target_id_number(n: u64) -> String {
    crate::copy::id_number("110105", 500 + n)
}
pub fn staff_username(role: &str) -> String {
    format!("bench-{role}")
}

/// The stored bytes of the fixtures' portrait and of every generated one, with their SHA-256
/// as an upload records it: a small JPEG, the same for all. The product never reads them here;
/// a backup copies and checks each one against its row's digest.
pub fn portrait_object() -> (Vec<u8>, String) {
    let image = image::GrayImage::from_fn(16, 16, |x, y| image::Luma([(x * 16 + y) as u8]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Jpeg).unwrap();
    let bytes = bytes.into_inner();
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    (bytes, sha256)
}

/// Writes the fixtures through the state's pool and keys.
pub async fn seed(state: &zhujian::AppState) {
    let now = zhujian::platform::clock::system_now_ms();
    let seeded: Option<String> = sqlx::query_scalar("SELECT id FROM staff WHERE username = $1")
        .bind(staff_username("city"))
        .fetch_optional(&state.db)
        .await
        .unwrap();
    if seeded.is_some() {
        return; // a reused database
    }
    let hash = zhujian::auth::passwords::hash_now(PASSWORD);
    for (name, role, district) in [
        ("city", Role::City, None),
        ("d370102", Role::District, Some("370102")),
        ("d370103", Role::District, Some("370103")),
    ] {
        let new = zhujian::staff::store::NewStaff {
            username: &staff_username(name),
            display_name: name,
            role,
            district_code: district,
            password_hash: &hash,
            created_by: None,
        };
        zhujian::staff::store::insert(&state.db, &new, now).await.unwrap();
    }
    enterprises(state, &hash, now).await;
    let portrait: DocumentId = id(FIXTURE, 200).into();
    // The fixtures' portrait is stored as an upload stores it, so that a backup finds it.
    let (bytes, sha256) = portrait_object();
    let size = bytes.len().to_string();
    state.objects.put("bench/portrait", bytes.into()).await.unwrap();
    execute(
        state,
        "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, uploaded_by, \
         created_at, state) VALUES ($1, 'person', 'bench', 'id_portrait', 'image/jpeg', $3, $4, 'bench/portrait', 'x', 'bench', $2, 'locked')",
        &[portrait.as_str(), &now.to_string(), &size, &sha256],
    )
    .await;
    for n in 0..WORKERS + TARGETS + ENTERPRISES - 1 {
        let person = register(state, &portrait, n, now).await;
        if n < APPLICANTS {
            application(state, &person, n, now).await;
        }
        if n < WORKERS {
            employ(state, &person, 0, n, now).await;
            notifications(state, &person, now).await;
        } else if n >= WORKERS + TARGETS {
            let enterprise = n - WORKERS - TARGETS + 1;
            employ(state, &person, enterprise, n, now).await;
            flagged(state, &person, enterprise, n, now).await;
        }
    }
    assessments(state, now).await;
}

/// People with an application waiting at the district desk: more than a page of them, so that
/// the desk's first page holds the same fixtures on both databases.
const APPLICANTS: u64 = 60;

/// A supplement (补办) asked by person `n`, for the district's desk to accept.
async fn application(state: &zhujian::AppState, person: &zhujian::platform::ids::PersonId, n: u64, now: i64) {
    sqlx::query(
        "INSERT INTO applications (id, kind, applicant, person_id, enterprise_id, district_code, steps, step, waiting_for, state, \
         detail, created_at, updated_at) \
         VALUES ($1, 'supplement', $2, $3, $4, $5, 'district', 0, 'district', 'in_progress', '{}', $6, $6)",
    )
    .bind(id(FIXTURE, 5000 + n))
    .bind(format!("person:{}", person.as_str()))
    .bind(person.as_str())
    .bind(enterprise_id(0))
    .bind(DISTRICT)
    .bind(now - n as i64 * 1000)
    .execute(&state.db)
    .await
    .unwrap();
}

/// A check-in of `person` for enterprise `enterprise`'s task, flagged for staff review.
async fn flagged(
    state: &zhujian::AppState,
    person: &zhujian::platform::ids::PersonId,
    enterprise: u64,
    n: u64,
    now: i64,
) {
    execute(
        state,
        "INSERT INTO check_in_attempts (id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude, \
         coordinate_system, accuracy_m, distance_m, face_distance, mock_location, district_code) \
         VALUES ($1, $2, 1, $3, $4, 'flagged', NULL, 'repeated_position', 36.6512, 117.1201, 'wgs84', 10.0, 5.0, 0.3, 0, $5)",
        &[&id(FIXTURE, 3000 + n), &task_of(enterprise), person.as_str(), &(now - 3_600_000).to_string(), DISTRICT],
    )
    .await;
}

/// Fifty inbox notices for a worker.
async fn notifications(state: &zhujian::AppState, person: &zhujian::platform::ids::PersonId, now: i64) {
    for k in 0..50 {
        sqlx::query(
            "INSERT INTO notifications (id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at, \
             created_at, delivered_at) VALUES ($1, 'inbox', 'person', $2, 'employment.requested', $3, 'delivered', 1, $4, $4, $4)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(person.as_str())
        .bind(r#"{"enterprise":"基准建设集团0","position":"安全员"}"#)
        .bind(now - k * 60_000)
        .execute(&state.db)
        .await
        .unwrap();
    }
}

/// Each enterprise's 2026 general-conditions assessment approved, its safety-director one
/// submitted and waiting for the district.
async fn assessments(state: &zhujian::AppState, now: i64) {
    for n in 0..ENTERPRISES {
        for (kind, approved) in [("general_conditions", true), ("safety_director", false)] {
            let assessment = uuid::Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO assessments (id, enterprise_id, template_id, kind, period, state, round, result, created_by, created_at, updated_at, \
                 district_code) \
                 SELECT $1, $2, id, kind, '2026', $3, 1, $4, $2, $5, $5, $7 FROM assessment_templates WHERE kind = $6 AND version = 1",
            )
            .bind(&assessment)
            .bind(enterprise_id(n))
            .bind(if approved { "approved" } else { "submitted" })
            .bind(approved.then_some("qualified"))
            .bind(now - n as i64 * 1000)
            .bind(kind)
            .bind(DISTRICT)
            .execute(&state.db)
            .await
            .unwrap();
            sqlx::query(
                "INSERT INTO assessment_rounds (assessment_id, round, submitted_by, submitted_at, submit_opinion, finished_by, finished_at, \
                 finish_opinion, outcome, result, self_total, assessed_total) \
                 VALUES ($1, 1, 'bench', $2, '提交', $3, $4, $5, $6, $7, 80.0, CASE WHEN $6 IS NULL THEN NULL ELSE 80.0 END)",
            )
            .bind(&assessment)
            .bind(now)
            .bind(approved.then_some("bench"))
            .bind(approved.then_some(now))
            .bind(approved.then_some("通过"))
            .bind(approved.then_some("approved"))
            .bind(approved.then_some("qualified"))
            .execute(&state.db)
            .await
            .unwrap();
        }
    }
}

/// Runs one statement whose parameters are all text except those that parse as integers.
async fn execute(state: &zhujian::AppState, sql: &str, params: &[&str]) {
    let mut query = sqlx::query(sql);
    for p in params {
        query = match p.parse::<i64>() {
            Ok(n) if !p.starts_with('0') || *p == "0" => query.bind(n),
            _ => query.bind(p.to_string()),
        };
    }
    query.execute(&state.db).await.unwrap();
}

async fn enterprises(state: &zhujian::AppState, hash: &str, now: i64) {
    let today = zhujian::platform::types::Date::today_in_china(now);
    for n in 0..ENTERPRISES {
        let (enterprise, qualification) = (enterprise_id(n), id(FIXTURE, 50 + n));
        let (phone, masked) = zhujian::enterprises::seal_phone(&state.keys, &enterprise.clone().into(), "13900000000");
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, contact_phone_masked, password_hash, \
             status, created_at, updated_at, registered_address, site_latitude, site_longitude, site_crs, locality, confirmed_at) \
             VALUES ($1, $2, $3, $4, '联系人', $9, $10, $5, 'active', $6, $6, '济南市历下区', $7, $8, 'wgs84', 'local', $6)",
        )
        .bind(&enterprise)
        .bind(enterprise_credit_code(n))
        .bind(format!("基准建设集团{n}"))
        .bind(DISTRICT)
        .bind(hash)
        .bind(now)
        .bind(SITE.0)
        .bind(SITE.1)
        .bind(&phone)
        .bind(&masked)
        .execute(&state.db)
        .await
        .unwrap();
        let mut conn = state.db.acquire().await.unwrap();
        zhujian::enterprises::index_for_search(&mut conn, &enterprise.as_str().into())
            .await
            .unwrap();
        execute(
            state,
            "INSERT INTO enterprise_qualifications (id, enterprise_id, category, grade, issued_on, created_at) \
             VALUES ($1, $2, '建筑工程施工总承包', '三级', '2026-03-01', $3)",
            &[&qualification, &enterprise, &now.to_string()],
        )
        .await;
    }
    for n in 0..ENTERPRISES {
        sqlx::query(
            "INSERT INTO verification_tasks (id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, window_end, \
             opened_by, opened_at, updated_at) VALUES ($1, $2, $3, 'routine', 'checking_in', 1, $4, $5, $6, 'bench', $7, $7)",
        )
        .bind(task_of(n))
        .bind(enterprise_id(n))
        .bind(id(FIXTURE, 50 + n))
        .bind(today.to_string())
        .bind(today.add_months(10).to_string())
        .bind(today.add_months(1).to_string())
        .bind(now)
        .execute(&state.db)
        .await
        .unwrap();
    }
}

/// A person bound to an openid with a registered identity, as `people::store` registers one.
async fn register(
    state: &zhujian::AppState,
    portrait: &DocumentId,
    n: u64,
    now: i64,
) -> zhujian::platform::ids::PersonId {
    let mut conn = state.db.acquire().await.unwrap();
    let person = zhujian::people::store::find_or_create_by_openid(&mut conn, &worker_openid(n), now)
        .await
        .unwrap();
    let number = target_id_number(n);
    let hash = zhujian::people::store::id_number_hash(&state.keys, &number);
    let face: zhujian_face::Descriptor = [0.01; 128];
    let new = zhujian::people::store::NewIdentity {
        person_id: &person,
        id_number: &number,
        id_number_hash: &hash,
        id_number_masked: &crate::copy::masked_id(&number),
        name: "基准人员",
        phone: "13900000000",
        phone_masked: "139****0000",
        portrait_document_id: portrait,
        selfie_document_id: portrait,
        face: &face,
        held: false,
    };
    zhujian::people::store::register(&mut conn, &state.keys, &new, now)
        .await
        .unwrap();
    person
}

/// Employs person `n` at enterprise `enterprise` and selects them for its task.
async fn employ(
    state: &zhujian::AppState,
    person: &zhujian::platform::ids::PersonId,
    enterprise: u64,
    n: u64,
    now: i64,
) {
    let relation = id(FIXTURE, 300 + n);
    let now = now.to_string();
    execute(
        state,
        "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, \
         created_at, expires_at) VALUES ($1, $2, $3, '安全员', '2026-01-01', '2029-12-31', 'accepted', 'bench', $4, $4)",
        &[&relation, &enterprise_id(enterprise), person.as_str(), &now],
    )
    .await;
    execute(
        state,
        "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
         VALUES ($1, $2, $3, $1, '安全员', '2026-01-01', '2029-12-31', 'active', $4)",
        &[&relation, &enterprise_id(enterprise), person.as_str(), &now],
    )
    .await;
    execute(
        state,
        "INSERT INTO verification_selections (task_id, round, employment_id, person_id) VALUES ($1, 1, $2, $3)",
        &[&task_of(enterprise), &relation, person.as_str()],
    )
    .await;
}
