//! Seeding, directly in SQL: enterprises with tasks in their check-in window and one selected,
//! registered person per measured check-in; then a city's worth of history (earlier photos
//! and check-in attempts) generated inside the database.

use zhujian::platform::db::Engine;

use super::SITE;

/// Enterprises (and their tasks) seeded; more than any run checks in.
pub const ENTERPRISES: usize = 2000;

/// Seeds enterprises, tasks in their window, and one selected, registered person per
/// measured check-in (`people` of them); returns (task id, person id) pairs to check in with.
pub async fn base(
    state: &zhujian::AppState,
    enrolled: &zhujian_face::Descriptor,
    people: usize,
) -> Vec<(String, String)> {
    let db = &state.db;
    let now = zhujian::platform::clock::system_now_ms();
    let today = zhujian::platform::types::Date::today_in_china(now);
    let window_end = today.add_months(1).to_string();
    let mut pairs = Vec::new();
    let mut tx = db.begin().await.unwrap();
    for n in 0..ENTERPRISES {
        let (enterprise, qualification, task) = (format!("e{n}"), format!("q{n}"), format!("t{n}"));
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, created_at, updated_at, \
             registered_address, site_latitude, site_longitude, site_crs, locality) \
             VALUES ($1, $2, $3, '370102', '联系人', '13900000000', '!', 'active', $4, $4, '地址', $5, $6, 'wgs84', 'local')",
        )
        .bind(&enterprise)
        .bind(format!("BENCH{n:013}"))
        .bind(format!("基准企业{n}"))
        .bind(now)
        .bind(SITE.0 + (n % 50) as f64 * 0.01)
        .bind(SITE.1)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO enterprise_qualifications (id, enterprise_id, category, grade, issued_on, created_at) VALUES ($1, $2, '建筑工程施工总承包', '三级', '2026-03-01', $3)")
            .bind(&qualification)
            .bind(&enterprise)
            .bind(now)
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO verification_tasks (id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, window_end, opened_by, opened_at, updated_at) \
             VALUES ($1, $2, $3, 'first_time', 'checking_in', 1, $4, $5, $6, 'bench', $7, $7)",
        )
        .bind(&task)
        .bind(&enterprise)
        .bind(&qualification)
        .bind(today.to_string())
        .bind(today.add_months(10).to_string())
        .bind(&window_end)
        .bind(now)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    for n in 0..people {
        let person = zhujian::people::store::find_or_create_by_openid(
            &mut *db.acquire().await.unwrap(),
            &format!("bench-openid-{n}"),
            now,
        )
        .await
        .unwrap();
        let id_number = id_number(n);
        let id_number_hash = zhujian::people::store::id_number_hash(&state.keys, &id_number);
        let new = zhujian::people::store::NewIdentity {
            person_id: &person,
            id_number: &id_number,
            id_number_hash: &id_number_hash,
            id_number_masked: "110105********0000",
            name: "基准人员",
            phone: "13900000000",
            phone_masked: "139****0000",
            portrait_document_id: &"bench-portrait".into(),
            selfie_document_id: &"bench-selfie".into(),
            face: enrolled,
            held: false,
        };
        // The portrait and selfie rows the identity refers to.
        for doc in ["bench-portrait", "bench-selfie"] {
            sqlx::query(
                "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, uploaded_by, created_at, state) \
                 VALUES ($1, 'person', 'bench', 'selfie', 'image/jpeg', 0, '', $2, 'x', 'bench', 0, 'locked') ON CONFLICT (id) DO NOTHING",
            )
            .bind(doc)
            .bind(format!("bench/{doc}"))
            .execute(db)
            .await
            .unwrap();
        }
        zhujian::people::store::register(&mut *db.acquire().await.unwrap(), &state.keys, &new, now)
            .await
            .unwrap();
        let (task, enterprise) = (format!("t{n}"), format!("e{n}"));
        let employment = format!("m{n}");
        sqlx::query(
            "INSERT INTO employment_requests (id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, '项目负责人', '2026-01-01', '2029-12-31', 'accepted', 'bench', $4, $4)",
        )
        .bind(&employment)
        .bind(&enterprise)
        .bind(&person)
        .bind(now)
        .execute(db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO employments (id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at) \
             VALUES ($1, $2, $3, $1, '项目负责人', '2026-01-01', '2029-12-31', 'active', $4)",
        )
        .bind(&employment)
        .bind(&enterprise)
        .bind(&person)
        .bind(now)
        .execute(db)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO verification_selections (task_id, round, employment_id, person_id) VALUES ($1, 1, $2, $3)",
        )
        .bind(&task)
        .bind(&employment)
        .bind(&person)
        .execute(db)
        .await
        .unwrap();
        pairs.push((task, person.into_string()));
    }
    pairs
}

/// A valid ID number for a sequence number (GB 11643 check character).
fn id_number(n: usize) -> String {
    let body = format!("110105198{:01}{:07}", n % 10, n);
    let body = &body[..17];
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// People who made the history's attempts (attempts must name a real person).
const HISTORY_PEOPLE: usize = 1000;

/// A city's history, generated inside the database in one statement per table: `attempts`
/// earlier check-in attempts (one in ten accepted, at positions no new check-in repeats) on
/// the seeded tasks, and `photos` earlier face photos of every flow, by `HISTORY_PEOPLE`
/// people. Returns the seconds it took.
pub async fn history(db: &zhujian::platform::db::Db, engine: Engine, attempts: usize, photos: usize) -> f64 {
    let started = std::time::Instant::now();
    let series = |n: usize| match engine {
        Engine::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) ",
            n - 1
        ),
        Engine::Postgres => format!("WITH n(i) AS (SELECT generate_series(0, {})) ", n - 1),
    };
    let people = format!(
        "{}INSERT INTO people (id, openid, status, created_at, updated_at, last_login_at) \
         SELECT 'hp' || i, 'history-openid-' || i, 'registered', 0, 0, 0 FROM n",
        series(HISTORY_PEOPLE)
    );
    sqlx::query(&people).execute(db).await.unwrap();
    // Rounds above any real one keep the accepted attempts clear of the once-per-round index.
    let attempts_sql = format!(
        "{}INSERT INTO check_in_attempts (id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude, \
         coordinate_system, accuracy_m, distance_m, face_distance, mock_location, selfie_document_id, selfie_hash) \
         SELECT 'ha' || i, 't' || (i % {ENTERPRISES}), 100 + i, 'hp' || (i % {HISTORY_PEOPLE}), 1000000000000 + i * 1000, \
         CASE WHEN i % 10 = 0 THEN 'accepted' ELSE 'refused' END, CASE WHEN i % 10 = 0 THEN NULL ELSE 'check_in.outside' END, '', \
         10.0 + (i % 9973) * 0.001, 100.0 + (i % 7919) * 0.001, 'wgs84', 20.0, 50.0, 0.3, 0, NULL, NULL FROM n",
        series(attempts)
    );
    sqlx::query(&attempts_sql).execute(db).await.unwrap();
    // Earlier photos of every flow with pseudo-random 64-bit hashes, each split into the four
    // 16-bit bands the registry indexes (`photos::rules::bands`: band k is bits 16k..16k+15);
    // materialised so that each hash is drawn once.
    let random = match engine {
        Engine::Sqlite => "random()",
        Engine::Postgres => "('x' || substr(md5(i::text), 1, 16))::bit(64)::bigint",
    };
    let photos_sql = format!(
        "{}, g AS MATERIALIZED (SELECT i, {random} AS h FROM n) \
         INSERT INTO face_photos (id, hash, band0, band1, band2, band3, flow, person_id, document_id, at) \
         SELECT 'hf' || i, h, h & 65535, (h >> 16) & 65535, (h >> 32) & 65535, (h >> 48) & 65535, \
         CASE i % 4 WHEN 0 THEN 'id_portrait' WHEN 1 THEN 'registration_selfie' WHEN 2 THEN 'acceptance_selfie' ELSE 'check_in_selfie' END, \
         'hp' || (i % {HISTORY_PEOPLE}), NULL, 1000000000000 + i * 1000 FROM g",
        series(photos).trim_end()
    );
    sqlx::query(&photos_sql).execute(db).await.unwrap();
    // On PostgreSQL, what autovacuum would have done by the time a city's history had
    // accumulated: statistics for the planner and a visibility map for index-only scans.
    // (The product never analyses SQLite, so neither does the benchmark.)
    let settle: &[&str] = match engine {
        Engine::Sqlite => &[],
        Engine::Postgres => &["VACUUM ANALYZE face_photos", "VACUUM ANALYZE check_in_attempts"],
    };
    for statement in settle {
        sqlx::query(statement).execute(db).await.unwrap();
    }
    started.elapsed().as_secs_f64()
}
