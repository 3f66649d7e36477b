//! What the demo tells the newcomer at the end: the staff accounts with their passwords, two
//! enterprise sign-ins, how many tasks are in each state, and how long the fill took.

use std::fmt::Write;
use std::time::Duration;

use super::city::{STAFF, STAFF_PASSWORD};
use super::world::World;

/// The states of `verification::rules::lifecycle::TaskState`, as the API names them.
pub const TASK_STATES: [&str; 8] = [
    "open",
    "selection_submitted",
    "checking_in",
    "replacement_submitted",
    "passed",
    "lapsed",
    "rectification",
    "withdrawn",
];

pub struct Filled {
    pub elapsed: Duration,
    /// What to print: the accounts table and the summary.
    pub text: String,
}

pub async fn filled(w: &World, elapsed: Duration) -> anyhow::Result<Filled> {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Staff accounts (password {STAFF_PASSWORD} for all; sign in at /console/):"
    );
    let _ = writeln!(text, "  {:<12} {:<11} {:<9} name", "username", "role", "district");
    for s in &STAFF {
        let _ = writeln!(
            text,
            "  {:<12} {:<11} {:<9} {}",
            s.username,
            s.role,
            s.district.unwrap_or("-"),
            s.name
        );
    }
    let _ = writeln!(
        text,
        "Enterprises ({}), e.g. (credit code, password):",
        w.enterprises.len()
    );
    for e in w.enterprises.iter().take(2) {
        let _ = writeln!(text, "  {}  {}  {}", e.code, e.password, e.name);
    }
    let people: Vec<&str> = w.people.iter().map(|p| p.name).collect();
    let _ = writeln!(
        text,
        "People: {} (WeChat login codes demo-…; the last is held for the city's review: the third's face)",
        people.join("、")
    );
    let _ = writeln!(
        text,
        "Verification tasks (as the city sees them): {}",
        task_counts(w).await?
    );
    let _ = writeln!(text, "Awaiting decision (home page): {}", inbox_counts(w).await?);
    let _ = writeln!(
        text,
        "Graded (results, 施工企业监管等次评定): {} enterprises",
        graded(w).await?
    );
    let _ = writeln!(text, "Filled in {:.1} s.", elapsed.as_secs_f64());
    Ok(Filled { elapsed, text })
}

async fn task_counts(w: &World) -> anyhow::Result<String> {
    let mut counts = Vec::new();
    for state in TASK_STATES {
        let tasks = w
            .api
            .get(
                w.staff("city"),
                &format!("/verification/tasks?state={state}&per_page=200"),
            )
            .await?;
        counts.push(format!("{state} {}", tasks.as_array().map_or(0, Vec::len)));
    }
    Ok(counts.join(", "))
}

async fn graded(w: &World) -> anyhow::Result<usize> {
    let year = &w.today().to_string()[..4];
    let path = format!("/results/construction_enterprise?period={year}&per_page=200");
    let results = w.api.get(w.staff("city"), &path).await?;
    let rows = results["rows"].as_array().map(Vec::as_slice).unwrap_or_default();
    Ok(rows.iter().filter(|r| !r["final_grade"].is_null()).count())
}

async fn inbox_counts(w: &World) -> anyhow::Result<String> {
    let mut counts = Vec::new();
    for username in ["city", "lixia", "shizhong"] {
        let inbox = w.api.get(w.staff(username), "/staff/inbox").await?;
        counts.push(format!("{username} {}", inbox["total"].as_i64().unwrap_or_default()));
    }
    Ok(counts.join(", "))
}
