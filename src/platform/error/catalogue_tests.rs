//! The catalogue cannot drift from the code: every dotted code literal in the source is either
//! catalogued or named here as something else (a notification kind, a purpose, a job, a
//! setting), and the statuses the source gives codes directly are the catalogued ones.

use std::path::Path;

use super::catalogue::{lookup, CODES};

/// Dotted literals in the source that are not error codes.
const NOT_ERROR_CODES: &[&str] = &[
    // Notification kinds.
    "application.approved",
    "application.awaiting_city",
    "application.awaiting_district",
    "application.awaiting_enterprise",
    "application.refused",
    "application.to_confirm",
    "exam.outcome",
    "exam.registration_approved",
    "exam.registration_rejected",
    "assessment.approved",
    "assessment.rectification",
    "assessment.returned",
    "employment.accepted",
    "employment.ended",
    "employment.refused",
    "employment.requested",
    "employment.withdrawn",
    "enterprise.contact_changed",
    "people.registration_approved",
    "people.registration_refused",
    "verification.appeal_dismissed",
    "verification.appeal_granted",
    "verification.approved",
    "verification.check_in_open",
    "verification.check_in_voided",
    "verification.lapsed",
    "verification.passed",
    "verification.rectification",
    "verification.rejected",
    "verification.task_opened",
    "verification.withdrawn",
    // Kinds of the staff inbox (`notify::awaiting`).
    "application.city",
    "application.district",
    "exam.registration",
    "assessment.daily_event",
    "assessment.project",
    "assessment.review",
    "people.registration",
    "verification.replacement",
    "verification.selection",
    // The staff console's own notice for a form without its session's token: a page, never an
    // API answer (src/console/session.rs).
    "console.form_expired",
    // Challenge purposes, job names and leases, settings and file names.
    "employment.accept",
    "identity.desk",
    "people.register",
    "verification.check_in",
    "verification.close",
    "audit.checkpoint",
    "documents.sweep",
    "notifications.deliver",
    "secrets.audit_key",
    "secrets.audit_retired_keys",
    "secrets.toml",
    "sms.log",
    "zhujian.db",
];

/// The non-test source of the crate, one string per file.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("catalogue_tests.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_owned();
                out.push((path.display().to_string(), code));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

fn looks_like_code(text: &str) -> bool {
    let Some((head, tail)) = text.split_once('.') else {
        return false;
    };
    let word = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let file = [
        "pdf", "db", "toml", "html", "log", "sql", "png", "jpg", "json", "exe", "mp4", "pgdump",
    ]
    .contains(&tail);
    // Two-letter heads are table aliases in SQL (`e.id`).
    word(head) && word(tail) && head.len() > 2 && !file
}

/// Every `"a.b"` literal of the text.
fn dotted_literals(text: &str) -> Vec<&str> {
    let quotes: Vec<usize> = text.match_indices('"').map(|(i, _)| i).collect();
    quotes
        .windows(2)
        .map(|w| &text[w[0] + 1..w[1]])
        .filter(|s| looks_like_code(s))
        .collect()
}

#[test]
fn every_code_in_the_source_is_catalogued() {
    let mut missing = Vec::new();
    for (file, text) in sources() {
        for literal in dotted_literals(&text) {
            if lookup(literal).is_none() && !NOT_ERROR_CODES.contains(&literal) {
                missing.push(format!("{literal} ({file})"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "codes missing from src/platform/error/catalogue.rs (or, if not error codes, from NOT_ERROR_CODES): {missing:#?}"
    );
}

#[test]
fn statuses_given_in_the_source_are_the_catalogued_ones() {
    let status = |name: &str| -> u16 {
        match name {
            "BAD_REQUEST" => 400,
            "UNAUTHORIZED" => 401,
            "FORBIDDEN" => 403,
            "NOT_FOUND" => 404,
            "CONFLICT" => 409,
            "PAYLOAD_TOO_LARGE" => 413,
            "UNSUPPORTED_MEDIA_TYPE" => 415,
            "UNPROCESSABLE_ENTITY" => 422,
            "TOO_MANY_REQUESTS" => 429,
            "BAD_GATEWAY" => 502,
            "SERVICE_UNAVAILABLE" => 503,
            other => panic!("add {other} to this test"),
        }
    };
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (file, text) in sources() {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut given = Vec::new();
        for (at, _) in flat.match_indices("ApiError::new(StatusCode::") {
            let rest = &flat[at + "ApiError::new(StatusCode::".len()..];
            let Some((name, rest)) = rest.split_once(',') else {
                continue;
            };
            if let Some(code) = rest.trim_start().strip_prefix('"').and_then(|r| r.split('"').next()) {
                given.push((code.to_owned(), status(name)));
            }
        }
        for (call, code_status) in [("conflict(", 409), ("unavailable(", 503)] {
            for (at, _) in flat.match_indices(call) {
                let rest = flat[at + call.len()..].trim_start();
                if let Some(code) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                    given.push((code.to_owned(), code_status));
                }
            }
        }
        for (code, status) in given {
            checked += 1;
            match lookup(&code) {
                Some(entry) if entry.statuses.contains(&status) => {}
                _ => wrong.push(format!("{code} {status} ({file})")),
            }
        }
    }
    assert!(
        checked > 50,
        "the scan found only {checked} codes: has the construction of errors changed?"
    );
    assert!(wrong.is_empty(), "statuses not in the catalogue: {wrong:#?}");
}

#[test]
fn the_catalogue_is_sorted_without_duplicates_and_says_everything_in_both_languages() {
    for pair in CODES.windows(2) {
        assert!(pair[0].code < pair[1].code, "{} before {}", pair[0].code, pair[1].code);
    }
    for code in CODES {
        assert!(!code.statuses.is_empty(), "{}", code.code);
        assert!(code.statuses.iter().all(|s| (400..600).contains(s)), "{}", code.code);
        assert!(
            code.zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{} zh",
            code.code
        );
        assert!(!code.en.is_empty() && !code.en.contains('\u{4e00}'), "{} en", code.code);
    }
}
