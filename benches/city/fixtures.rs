//! The accounts both runs sign in as, written the same way into the empty and the city-scale
//! database with the product's own stores (staff, persons' registration) and plain rows where
//! the API would need an SMS or a face: city staff and a reviewer for two districts, enterprises
//! in 370102 with a site and a task checking in, workers selected for it, and registered
//! persons without an employer (the targets of employment requests).

use zhujian::auth::Role;
use zhujian::platform::ids::DocumentId;

use crate::copy::{credit_code, id};

pub const PASSWORD: &str = "Bench-passw0rd";
pub const DISTRICT: &str = "370102";
/// The enterprises' registered site (the fence's centre).
pub const SITE: (f64, f64) = (36.6512, 117.1201);
pub const ENTERPRISES: u64 = 4;
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
pub fn task_id() -> String {
    id(FIXTURE, 100)
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

/// Writes the fixtures through the state's pool and keys.
pub async fn seed(state: &zhujian::AppState) {
    let now = zhujian::platform::clock::system_now_ms();
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
    execute(
        state,
        "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, uploaded_by, \
         created_at, state) VALUES ($1, 'person', 'bench', 'id_portrait', 'image/jpeg', 0, '', 'bench/portrait', 'x', 'bench', $2, 'locked')",
        &[portrait.as_str(), &now.to_string()],
    )
    .await;
    for n in 0..WORKERS + TARGETS {
        let person = register(state, &portrait, n, now).await;
        if n < WORKERS {
            employ(state, &person, n, now).await;
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
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, contact_phone_masked, password_hash, \
             status, created_at, updated_at, registered_address, site_latitude, site_longitude, site_crs, locality, confirmed_at) \
             VALUES ($1, $2, $3, $4, '联系人', '13900000000', '139****0000', $5, 'active', $6, $6, '济南市历下区', $7, $8, 'wgs84', 'local', $6)",
        )
        .bind(&enterprise)
        .bind(enterprise_credit_code(n))
        .bind(format!("基准建设集团{n}"))
        .bind(DISTRICT)
        .bind(hash)
        .bind(now)
        .bind(SITE.0)
        .bind(SITE.1)
        .execute(&state.db)
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
    sqlx::query(
        "INSERT INTO verification_tasks (id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, window_end, \
         opened_by, opened_at, updated_at) VALUES ($1, $2, $3, 'routine', 'checking_in', 1, $4, $5, $6, 'bench', $7, $7)",
    )
    .bind(task_id())
    .bind(enterprise_id(0))
    .bind(id(FIXTURE, 50))
    .bind(today.to_string())
    .bind(today.add_months(10).to_string())
    .bind(today.add_months(1).to_string())
    .bind(now)
    .execute(&state.db)
    .await
    .unwrap();
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

/// Employs worker `n` at the first enterprise and selects them for its task.
async fn employ(state: &zhujian::AppState, person: &zhujian::platform::ids::PersonId, n: u64, now: i64) {
    let relation = id(FIXTURE, 300 + n);
    let now = now.to_string();
    execute(
        state,
        "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, \
         created_at, expires_at) VALUES ($1, $2, $3, '安全员', '2026-01-01', '2029-12-31', 'accepted', 'bench', $4, $4)",
        &[&relation, &enterprise_id(0), person.as_str(), &now],
    )
    .await;
    execute(
        state,
        "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
         VALUES ($1, $2, $3, $1, '安全员', '2026-01-01', '2029-12-31', 'active', $4)",
        &[&relation, &enterprise_id(0), person.as_str(), &now],
    )
    .await;
    execute(
        state,
        "INSERT INTO verification_selections (task_id, round, employment_id, person_id) VALUES ($1, 1, $2, $3)",
        &[&task_id(), &relation, person.as_str()],
    )
    .await;
}
