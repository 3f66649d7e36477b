//! The one CSV writer of the product: a header row, then rows of cells (the same `Cell`s the
//! XLSX writer takes), written as RFC 4180 CSV in UTF-8 with a byte-order mark so that Excel
//! and WPS read the Chinese right, lines ending in CRLF.
//!
//! Text cells are neutralised against CSV (formula) injection, as the OWASP guidance has it:
//! a text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with a
//! single quote, so a spreadsheet shows it instead of evaluating it. Numbers the product
//! computes are `Cell::Number` and stay numbers (a score of `-3.5` is not text a person wrote).

use super::xlsx::Cell;

/// A CSV file under construction.
pub struct Csv {
    out: String,
}

impl Csv {
    /// A file with its header row.
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv {
            out: String::from("\u{feff}"),
        };
        let header: Vec<Cell> = header.iter().map(|h| Cell::Text((*h).to_owned())).collect();
        csv.row(&header);
        csv
    }

    /// A file of `rows`, the first of them being the header.
    pub fn of_table(rows: &[Vec<Cell>]) -> Csv {
        let mut csv = Csv {
            out: String::from("\u{feff}"),
        };
        for row in rows {
            csv.row(row);
        }
        csv
    }

    /// Appends one row.
    pub fn row(&mut self, cells: &[Cell]) -> &mut Csv {
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            match cell {
                Cell::Text(text) => push_text(&mut self.out, text),
                Cell::Number(n) if n.is_finite() => self.out.push_str(&n.to_string()),
                Cell::Number(_) | Cell::Empty => {}
            }
        }
        self.out.push_str("\r\n");
        self
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// Whether a spreadsheet would take a text beginning this way for a formula.
fn formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A text field: neutralised, then quoted when it holds a separator, a quote or a line break.
fn push_text(out: &mut String, text: &str) {
    let guard = if formula_like(text) { "'" } else { "" };
    if text.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(guard);
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(guard);
        out.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::imports::records;

    fn text(t: &str) -> Cell {
        Cell::Text(t.to_owned())
    }

    /// One row's line, without the BOM, header and line end.
    fn line(cells: &[Cell]) -> String {
        let mut csv = Csv::of_table(&[]);
        csv.row(cells);
        let out = String::from_utf8(csv.into_bytes()).unwrap();
        out.strip_prefix('\u{feff}')
            .unwrap()
            .strip_suffix("\r\n")
            .unwrap()
            .to_owned()
    }

    #[test]
    fn a_bom_a_header_and_crlf_lines() {
        let mut csv = Csv::new(&["姓名", "得分"]);
        csv.row(&[text("张三"), Cell::Number(88.5)]);
        let bytes = csv.into_bytes();
        assert_eq!(&bytes[..3], [0xef, 0xbb, 0xbf], "UTF-8 byte-order mark");
        assert_eq!(String::from_utf8(bytes).unwrap(), "\u{feff}姓名,得分\r\n张三,88.5\r\n");
        assert_eq!(Csv::of_table(&[]).into_bytes(), "\u{feff}".as_bytes());
    }

    #[test]
    fn separators_quotes_and_line_breaks_are_quoted() {
        assert_eq!(line(&[text("a,b")]), "\"a,b\"");
        assert_eq!(line(&[text("say \"hi\"")]), "\"say \"\"hi\"\"\"");
        assert_eq!(line(&[text("one\ntwo")]), "\"one\ntwo\"");
        assert_eq!(line(&[text("one\r\ntwo")]), "\"one\r\ntwo\"");
        assert_eq!(line(&[text("plain text")]), "plain text");
    }

    #[test]
    fn formula_like_text_is_neutralised() {
        assert_eq!(line(&[text("=1+1")]), "'=1+1");
        assert_eq!(line(&[text("+86 138")]), "'+86 138");
        assert_eq!(line(&[text("-1+2")]), "'-1+2");
        assert_eq!(line(&[text("@SUM(A1)")]), "'@SUM(A1)");
        assert_eq!(line(&[text("\tx")]), "'\tx");
        assert_eq!(line(&[text("\rx")]), "\"'\rx\"");
        // Quoted and neutralised: the quote goes inside the field.
        assert_eq!(
            line(&[text("=HYPERLINK(\"http://x.example\",\"点我\")")]),
            "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"点我\"\")\""
        );
        // Only the first character matters.
        assert_eq!(line(&[text("a=b")]), "a=b");
        assert_eq!(line(&[text("张三-李四")]), "张三-李四");
        // Text that looks like a number is still text a person wrote.
        assert_eq!(line(&[text("-3.5")]), "'-3.5");
    }

    #[test]
    fn numbers_stay_numbers() {
        assert_eq!(line(&[Cell::Number(-3.5)]), "-3.5");
        assert_eq!(line(&[Cell::Number(80.0)]), "80");
        assert_eq!(line(&[Cell::Number(0.0)]), "0");
        assert_eq!(line(&[Cell::Number(f64::NAN), Cell::Number(f64::INFINITY)]), ",");
    }

    #[test]
    fn empty_cells_and_chinese_text() {
        assert_eq!(line(&[Cell::Empty, text(""), Cell::Empty]), ",,");
        assert_eq!(
            line(&[text("济南市历下区"), Cell::Empty, text("否")]),
            "济南市历下区,,否"
        );
        assert_eq!(
            line(&[text("良好→优秀：获奖（依据，规则）")]),
            "良好→优秀：获奖（依据，规则）"
        );
    }

    #[test]
    fn the_products_reader_reads_it_back() {
        let mut csv = Csv::new(&["a", "b", "c"]);
        csv.row(&[text("x, \"y\"\nz"), Cell::Number(-2.0), text("=cmd")]);
        let written = String::from_utf8(csv.into_bytes()).unwrap();
        let rows = records(&written);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].1, vec!["x, \"y\"\nz".to_owned(), "-2".into(), "'=cmd".into()]);
    }
}
