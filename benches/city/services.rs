//! The rest of the city's queues: applications on the certificates (renewals, employer
//! changes, supplements, cancellations; a twenty-fifth still in progress, waiting at the
//! district or the city) and a construction project per enterprise with its 2026 project
//! assessment (a twentieth submitted, the city station's queue).

use sqlx::postgres::PgConnection;

use crate::copy::{district_of, id, mix, name, Copy};
use crate::generate::*;

const APPLICATION: u32 = 0xCB;
const PROJECT: u32 = 0xCC;
const PROJECT_ASSESSMENT: u32 = 0xCD;
const SUPERVISOR: &str = "city-generator-supervisor";

/// Kinds in turn, with the seeds' chains (`applications::chain::default_chain`).
const KINDS: [(&str, &[&str]); 4] = [
    ("renewal", &["enterprise", "district", "city"]),
    ("employer_change", &["enterprise", "district"]),
    ("supplement", &["district"]),
    ("cancellation", &["enterprise", "city"]),
];

/// One application for every second certificate, by its holder, at the holder's employer.
pub async fn applications(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(
        conn,
        "applications",
        "id, kind, applicant, person_id, certificate_id, confirming_enterprise_id, enterprise_id, district_code, steps, step, \
         waiting_for, state, detail, created_at, updated_at, decided_at",
    )
    .await;
    for n in (0..s.certificates).step_by(2) {
        let person = n * s.persons / s.certificates;
        let e = person % s.enterprises;
        let (kind, steps) = KINDS[(n / 2 % 4) as usize];
        let open = (n / 2).is_multiple_of(25);
        // An open application has passed its enterprise's confirmation, if it has one.
        let step = if open {
            usize::from(steps.len() > 1)
        } else {
            steps.len()
        };
        let at = moment(0.6 + n as f64 / s.certificates as f64 * 0.35);
        c.text(&id(APPLICATION, n)).text(kind);
        c.text(&format!("person:{}", person_id(person)))
            .text(&person_id(person))
            .text(&certificate_id(n));
        c.opt((steps[0] == "enterprise").then(|| enterprise_id(e)).as_deref());
        c.text(&enterprise_id(e)).text(district_of(e)).text(&steps.join(">"));
        c.num(step).opt(open.then(|| steps[step]));
        c.text(if open { "in_progress" } else { "approved" }).text("{}");
        c.num(at).num(at + 86_400_000);
        if open {
            c.null();
        } else {
            c.num(at + 86_400_000);
        }
        c.end().await;
    }
    c.finish().await.0
}

/// A project per enterprise, and its 2026 project assessment by the generator's supervisor.
pub async fn projects(conn: &mut PgConnection, s: &Sizes) -> u64 {
    let at = moment(0.8);
    sqlx::query(
        "INSERT INTO staff (id, username, display_name, role, password_hash, created_at, updated_at) \
         VALUES ($1, $1, '生成器监督员', 'supervisor', '!', $2, $2)",
    )
    .bind(SUPERVISOR)
    .bind(at)
    .execute(&mut *conn)
    .await
    .unwrap();
    let template: String =
        sqlx::query_scalar("SELECT id FROM assessment_templates WHERE kind = 'project' AND version = 1")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    let mut c = Copy::new(
        conn,
        "projects",
        "id, permit_number, name, location, district_code, enterprise_id, project_manager, building_area, created_by, created_at",
    )
    .await;
    for e in 0..s.enterprises {
        let district = district_of(e);
        c.text(&id(PROJECT, e)).text(&format!("{district}2026{e:08}"));
        c.text(&format!("济南{}安置房项目{e}", name(e ^ 0xB)))
            .text(&format!("济南市{district}区工业南路{}号", e % 900));
        c.text(district)
            .text(&enterprise_id(e))
            .text(&name(e ^ 0xA))
            .num(5_000 + mix(e) % 95_000);
        c.text(SUPERVISOR).num(at);
        c.end().await;
    }
    let mut rows = c.finish().await.0;
    let mut c = Copy::new(
        conn,
        "project_assessments",
        "id, project_id, template_id, period, supervisor_id, state, district_code, building_area, total_score, created_at, updated_at",
    )
    .await;
    for e in 0..s.enterprises {
        let submitted = mix(e ^ 0xAB).is_multiple_of(20);
        c.text(&id(PROJECT_ASSESSMENT, e)).text(&id(PROJECT, e)).text(&template);
        c.text("2026").text(SUPERVISOR);
        c.text(if submitted { "submitted" } else { "approved" })
            .text(district_of(e));
        c.num(5_000 + mix(e) % 95_000).num(60 + mix(e ^ 0xAC) % 40);
        c.num(at + 86_400_000).num(at + 2 * 86_400_000);
        c.end().await;
    }
    rows += c.finish().await.0;
    rows
}
