//! The city's years of activity: employment, verification tasks and their check-ins,
//! notifications, certificates and assessments, over the persons and enterprises of
//! `generate`.

use sqlx::postgres::PgConnection;

use crate::copy::{credit_code, district_of, mix, Copy};
use crate::generate::*;

/// How the persons' relations are laid out over the enterprises: each half of the relations
/// (the ended ones, then the current ones) gives enterprise `e` the relations `k` in
/// `starts[e]..starts[e + 1]`, between 2 and 25 of them in each half (weights 5–50).
struct Layout {
    starts: Vec<u64>,
}

impl Layout {
    fn new(s: &Sizes) -> Layout {
        let half = s.relations / 2;
        let weights: Vec<u64> = (0..s.enterprises).map(|e| 5 + mix(e ^ 0x77) % 46).collect();
        let total: u64 = weights.iter().sum();
        let mut starts = Vec::with_capacity(weights.len() + 1);
        let mut cumulative = 0u64;
        for w in &weights {
            starts.push((u128::from(cumulative) * u128::from(half) / u128::from(total)) as u64);
            cumulative += w;
        }
        starts.push(half);
        Layout { starts }
    }

    fn range(&self, e: u64) -> std::ops::Range<u64> {
        self.starts[e as usize]..self.starts[e as usize + 1]
    }

    /// The person of relation `k` of half `h`: a person's ended relation and current one are
    /// with different enterprises.
    fn person(&self, s: &Sizes, h: u64, k: u64) -> u64 {
        (k + h * (s.persons / 2 + 7)) % s.persons
    }
}

/// Enterprise `n`'s name (as `generate::enterprises` writes it).
pub fn enterprise_name(n: u64) -> String {
    format!("济南{}建设工程有限公司{n}", crate::copy::name(n ^ 0xE))
}

/// Requests and relations: the first half ended, the second current.
pub async fn relations(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let layout = Layout::new(s);
    let half = s.relations / 2;
    let mut rows = 0;
    for table in ["employment_requests", "employments"] {
        let columns = if table == "employments" {
            "id, enterprise_id, person_id, request_id, position, contract_start, contract_end, state, started_at, ended_at, \
             ended_by, end_reason, technical_lead"
        } else {
            "id, enterprise_id, person_id, position, contract_start, contract_end, state, created_by, created_at, expires_at, decided_at"
        };
        let mut c = Copy::new(conn, table, columns).await;
        for e in 0..s.enterprises {
            for h in 0..2 {
                for k in layout.range(e) {
                    let n = h * half + k;
                    let person = person_id(layout.person(s, h, k));
                    let at = moment(0.05 + 0.45 * h as f64 + k as f64 / half as f64 * 0.4);
                    let position = ["项目负责人", "安全员", "技术负责人", "施工员"][(k % 4) as usize];
                    c.text(&relation_id(n)).text(&enterprise_id(e)).text(&person);
                    if table == "employments" {
                        c.text(&relation_id(n))
                            .text(position)
                            .text("2024-01-01")
                            .text("2028-12-31");
                        c.text(if h == 0 { "ended" } else { "active" }).num(at + 86_400_000);
                        if h == 0 {
                            c.num(at + 200 * 86_400_000).text("person").text("合同到期");
                        } else {
                            c.null().null().null();
                        }
                        c.num(0);
                    } else {
                        c.text(position).text("2024-01-01").text("2028-12-31").text("accepted");
                        c.text(&enterprise_id(e))
                            .num(at)
                            .num(at + 7 * 86_400_000)
                            .num(at + 86_400_000);
                    }
                    c.end().await;
                }
            }
        }
        rows += c.finish().await.0;
    }
    rows
}

/// The task of enterprise `e` in year `y` (0: 2025's first-time, 1: 2026's routine); a
/// twentieth of 2026's are still checking in.
fn task_state(e: u64, y: u64) -> &'static str {
    if y == 1 && e.is_multiple_of(20) {
        "checking_in"
    } else {
        "passed"
    }
}

/// When the task (e, y) was opened: 2025's through the spring of 2025 and 2026, 2026's
/// through 2026 up to November, before the fixtures' tasks, which are opened now (so that a
/// first page of tasks holds the same fixture tasks on both databases).
fn task_opened(s: &Sizes, e: u64, y: u64) -> i64 {
    moment(0.4 + 0.3 * y as f64 + e as f64 / s.enterprises as f64 * 0.25)
}

pub async fn tasks(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(
        conn,
        "verification_tasks",
        "id, enterprise_id, qualification_id, kind, state, round, notice_date, start_deadline, window_end, opened_by, opened_at, updated_at",
    )
    .await;
    for e in 0..s.enterprises {
        for y in 0..TASKS_PER_ENTERPRISE {
            let opened = task_opened(s, e, y);
            c.text(&task_id(TASKS_PER_ENTERPRISE * e + y))
                .text(&enterprise_id(e))
                .text(&qualification_id(e));
            c.text(if y == 0 { "first_time" } else { "routine" })
                .text(task_state(e, y))
                .num(1);
            c.text(&format!("{}-03-01", 2025 + y))
                .text(&format!("{}-12-31", 2025 + y));
            c.text(&format!("{}-12-31", 2025 + y))
                .text("city-generator")
                .num(opened)
                .num(opened);
            c.end().await;
        }
    }
    c.finish().await.0
}

/// The people selected for task (e, y): up to `SELECTED` of the enterprise's relations of
/// that year's half, as (relation index, person index).
fn selected(layout: &Layout, s: &Sizes, e: u64, y: u64) -> Vec<(u64, u64)> {
    let half = s.relations / 2;
    layout
        .range(e)
        .take(SELECTED as usize)
        .map(|k| (y * half + k, layout.person(s, y, k)))
        .collect()
}

pub async fn selections(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let layout = Layout::new(s);
    let mut c = Copy::new(
        conn,
        "verification_selections",
        "task_id, round, employment_id, person_id",
    )
    .await;
    for e in 0..s.enterprises {
        for y in 0..TASKS_PER_ENTERPRISE {
            for (relation, person) in selected(&layout, s, e, y) {
                c.text(&task_id(TASKS_PER_ENTERPRISE * e + y))
                    .num(1)
                    .text(&relation_id(relation));
                c.text(&person_id(person));
                c.end().await;
            }
        }
    }
    c.finish().await.0
}

const REFUSALS: [&str; 4] = [
    "check_in.outside",
    "face.mismatch",
    "check_in.poor_accuracy",
    "photo.reused",
];

/// The attempts, spread evenly over the tasks: each selected person's first attempt accepted
/// (in tasks still checking in, one in ten flagged and waiting for staff), the later ones
/// refused.
pub async fn attempts(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let layout = Layout::new(s);
    let tasks = s.enterprises * TASKS_PER_ENTERPRISE;
    let mut c = Copy::new(
        conn,
        "check_in_attempts",
        "id, task_id, round, person_id, at, outcome, reason, flags, latitude, longitude, coordinate_system, accuracy_m, \
         distance_m, face_distance, mock_location, district_code",
    )
    .await;
    let mut n = 0u64;
    for t in 0..tasks {
        let (e, y) = (t / TASKS_PER_ENTERPRISE, t % TASKS_PER_ENTERPRISE);
        let people = selected(&layout, s, e, y);
        let count = (t + 1) * s.attempts / tasks - t * s.attempts / tasks;
        if people.is_empty() {
            continue;
        }
        let (lat, lon) = site(e);
        let opened = task_opened(s, e, y);
        for j in 0..count {
            let person = people[(j % people.len() as u64) as usize].1;
            let m = mix(n);
            let first = j < people.len() as u64;
            // Staff decided the flags of closed tasks long ago; a tenth of the open tasks'
            // check-ins still wait for them.
            let open = task_state(e, y) == "checking_in";
            let outcome = match (first, m % 10) {
                (true, 0) if open => "flagged",
                (true, _) => "accepted",
                _ => "refused",
            };
            let far = if outcome == "refused" && m.is_multiple_of(4) {
                0.02
            } else {
                0.0
            };
            c.text(&attempt_id(n)).text(&task_id(t)).num(1).text(&person_id(person));
            c.num(opened + 86_400_000 + (j as i64) * 600_000).text(outcome);
            c.opt((outcome == "refused").then(|| REFUSALS[(m >> 8) as usize % 4]));
            c.text(if outcome == "flagged" { "repeated_position" } else { "" });
            c.num(lat + far + ((m >> 16) % 1000) as f64 * 1e-6)
                .num(lon + ((m >> 32) % 1000) as f64 * 1e-6);
            c.text("wgs84")
                .num(10 + (m >> 40) % 30)
                .num((m >> 44) % 250)
                .num(0.3)
                .num(0)
                .text(district_of(e));
            c.end().await;
            n += 1;
        }
    }
    c.finish().await.0
}

/// One inbox notice per person (an employment request they received).
pub async fn notifications(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(
        conn,
        "notifications",
        "id, channel, recipient_kind, recipient_id, kind, params, state, attempts, next_attempt_at, created_at, delivered_at, read_at",
    )
    .await;
    for n in 0..s.persons {
        let at = moment(0.5 + n as f64 / s.persons as f64 * 0.4);
        let e = n % s.enterprises;
        let params = serde_json::json!({"enterprise": enterprise_name(e), "position": "安全员"}).to_string();
        c.text(&notification_id(n))
            .text("inbox")
            .text("person")
            .text(&person_id(n))
            .text("employment.requested");
        c.text(&params).text("delivered").num(1).num(at).num(at).num(at);
        if n % 3 == 0 {
            c.null();
        } else {
            c.num(at + 3_600_000);
        }
        c.end().await;
    }
    c.finish().await.0
}

/// Certificates of persons spread over the whole population, sealed as the import seals them.
pub async fn certificates(conn: &mut PgConnection, keys: &zhujian::platform::crypto::Keys, s: &Sizes) -> u64 {
    let mut c = Copy::new(
        conn,
        "certificates",
        "id, kind, category, number, holder_hash, holder_id_sealed, holder_id_masked, holder_name_sealed, holder_name_hash, \
         enterprise_credit_code, enterprise_name, issued_on, expires_on, origin, state, created_at, updated_at",
    )
    .await;
    for n in 0..s.certificates {
        let person = n * s.persons / s.certificates;
        let id = certificate_id(n);
        let number = person_id_number(person);
        let holder = crate::copy::name(person);
        let e = person % s.enterprises;
        let (kind, letter) = [("safety_a", "A"), ("safety_b", "B"), ("safety_c", "C")][(n % 3) as usize];
        let year = 2019 + n % 7;
        let at = moment(n as f64 / s.certificates as f64 * 0.2);
        c.text(&id)
            .text(kind)
            .text("")
            .text(&format!("鲁建安{letter}({year}){n:07}"));
        c.text(&zhujian::people::id_number_key(keys, &number));
        c.text(&keys.seal(&format!("certificate:{id}:id_number"), number.as_bytes()));
        c.text(&crate::copy::masked_id(&number));
        c.text(&keys.seal(&format!("certificate:{id}:name"), holder.as_bytes()));
        c.text(&keys.mac("certificate-holder-name", &holder));
        c.text(&credit_code(district_of(e), e, 'C')).text(&enterprise_name(e));
        c.text(&format!("{year}-06-01"))
            .text(&format!("{}-05-31", year + 3))
            .text("imported");
        c.text(if n % 50 == 0 { "cancelled" } else { "valid" }).num(at).num(at);
        c.end().await;
    }
    c.finish().await.0
}

/// Every enterprise's general-conditions and safety-director assessments of 2025 and 2026,
/// approved with their round; a twentieth of 2026's still submitted (the district's queue).
pub async fn assessments(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let mut templates = Vec::new();
    for kind in ["general_conditions", "safety_director"] {
        let id: String = sqlx::query_scalar("SELECT id FROM assessment_templates WHERE kind = $1 AND version = 1")
            .bind(kind)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        templates.push((kind, id));
    }
    let combos = |e: u64| {
        let templates = templates.clone();
        (0..4u64).map(move |i| {
            let (kind, template) = templates[(i % 2) as usize].clone();
            let period = 2025 + i / 2;
            let submitted = period == 2026 && mix(e ^ i).is_multiple_of(20);
            (4 * e + i, kind, template, period, submitted)
        })
    };
    let mut c = Copy::new(
        conn,
        "assessments",
        "id, enterprise_id, template_id, kind, period, state, round, result, created_by, created_at, updated_at, district_code",
    )
    .await;
    for e in 0..s.enterprises {
        for (n, kind, template, period, submitted) in combos(e) {
            let at = moment(0.3 + 0.33 * (period - 2025) as f64 + e as f64 / s.enterprises as f64 * 0.3);
            c.text(&assessment_id(n))
                .text(&enterprise_id(e))
                .text(&template)
                .text(kind);
            c.text(&period.to_string())
                .text(if submitted { "submitted" } else { "approved" })
                .num(1);
            c.opt((!submitted).then_some("qualified"))
                .text(&enterprise_id(e))
                .num(at)
                .num(at + 86_400_000)
                .text(district_of(e));
            c.end().await;
        }
    }
    let mut rows = c.finish().await.0;
    let mut c = Copy::new(
        conn,
        "assessment_rounds",
        "assessment_id, round, submitted_by, submitted_at, submit_opinion, finished_by, finished_at, finish_opinion, outcome, \
         result, self_total, assessed_total",
    )
    .await;
    for e in 0..s.enterprises {
        for (n, _, _, period, submitted) in combos(e) {
            let at = moment(0.3 + 0.33 * (period - 2025) as f64 + e as f64 / s.enterprises as f64 * 0.3);
            let total = 60.0 + (mix(n) % 400) as f64 / 10.0;
            c.text(&assessment_id(n))
                .num(1)
                .text(&enterprise_id(e))
                .num(at)
                .text("提交自评");
            if submitted {
                c.null().null().null().null().null().num(total).null();
            } else {
                c.text("city-generator")
                    .num(at + 86_400_000)
                    .text("通过")
                    .text("approved")
                    .text("qualified");
                c.num(total).num(total);
            }
            c.end().await;
        }
    }
    rows += c.finish().await.0;
    rows
}
