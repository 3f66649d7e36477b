//! Description lines, the same for both engines, and the loose form of expressions.

pub(super) fn column_line(table: &str, name: &str, family: &str, not_null: bool, default: Option<&str>) -> String {
    let null = if not_null { "not null" } else { "null" };
    let default = match default {
        None => "-".to_owned(),
        Some(d) if d.trim().eq_ignore_ascii_case("null") => "-".to_owned(),
        Some(d) => match loose(d) {
            empty if empty.is_empty() => "''".to_owned(),
            value => value,
        },
    };
    format!("{table}: column {name} {family} {null} default {default}")
}

pub(super) fn index_line(
    table: &str,
    name: &str,
    unique: bool,
    columns: &[String],
    predicate: Option<&str>,
    notes: Option<&str>,
) -> String {
    let mut line = format!(
        "{table}: {}index {name} ({})",
        if unique { "unique " } else { "" },
        columns.join(", ")
    );
    if let Some(predicate) = predicate {
        line.push_str(&format!(" where {}", loose(predicate)));
    }
    if let Some(notes) = notes {
        line.push_str(&format!(" [{notes}]"));
    }
    line
}

pub(super) fn foreign_key_line(
    table: &str,
    from: &[&str],
    referenced: &str,
    to: &[String],
    on_delete: &str,
    on_update: &str,
) -> String {
    format!(
        "{table}: foreign key ({}) -> {referenced} ({}) on delete {on_delete} on update {on_update}",
        from.join(", "),
        to.join(", ")
    )
}

/// Loose form of an expression: lowercase, casts (`::text`, `::character varying(20)`,
/// `::text[]`) removed, then quotes, parentheses and whitespace removed.
pub(super) fn loose(expression: &str) -> String {
    let lower = expression.to_lowercase();
    let mut without_casts = String::with_capacity(lower.len());
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("::") {
        without_casts.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        rest = &rest[name_end..];
        // Type names of several words.
        for tail in [" varying", " precision", " with time zone", " without time zone"] {
            if let Some(after) = rest.strip_prefix(tail) {
                rest = after;
            }
        }
        // A length or precision, then array brackets.
        if rest.starts_with('(') {
            if let Some(close) = rest.find(')') {
                rest = &rest[close + 1..];
            }
        }
        while let Some(after) = rest.strip_prefix("[]") {
            rest = after;
        }
    }
    without_casts.push_str(rest);
    without_casts
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '`' | '(' | ')') && !c.is_whitespace())
        .collect()
}
