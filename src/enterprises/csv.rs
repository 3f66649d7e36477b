//! A small CSV reader (RFC 4180: commas, quoted fields with doubled quotes and line breaks)
//! for the staff's bulk import of enterprise accounts.

/// The records of a CSV text, each with the line it starts on (1-based).
pub fn records(text: &str) -> Vec<(usize, Vec<String>)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            ',' if !quoted => record.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                record.push(std::mem::take(&mut field));
                if record.iter().any(|f| !f.trim().is_empty()) {
                    out.push((start_line, std::mem::take(&mut record)));
                }
                record.clear();
                line += 1;
                start_line = line;
            }
            '\n' => {
                field.push(c);
                line += 1;
            }
            _ => field.push(c),
        }
    }
    record.push(field);
    if record.iter().any(|f| !f.trim().is_empty()) {
        out.push((start_line, record));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_line_breaks_and_blank_lines() {
        let text = "\u{feff}a,b,c\r\n1,\"two, with comma\",3\n\n\"say \"\"hi\"\"\",\"multi\nline\",x\n";
        let rows = records(text);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0], (1, vec!["a".into(), "b".into(), "c".into()]));
        assert_eq!(rows[1].1, vec!["1".to_string(), "two, with comma".into(), "3".into()]);
        assert_eq!(
            rows[2],
            (4, vec!["say \"hi\"".into(), "multi\nline".into(), "x".into()])
        );
    }
}
