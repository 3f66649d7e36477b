//! Rows written with PostgreSQL's COPY (text format), in chunks, with the rate per table, and
//! the valid identifiers the product's validators accept.

use std::fmt::Write as _;
use std::time::Instant;

use sqlx::postgres::PgConnection;

/// Bytes buffered before a chunk is sent to the server.
const CHUNK: usize = 4 << 20;

/// One COPY into one table: fields are appended in the table's column order, rows ended with
/// `end`; `finish` reports how many rows and how fast.
pub struct Copy<'c> {
    sink: sqlx::postgres::PgCopyIn<&'c mut PgConnection>,
    buf: String,
    table: &'static str,
    rows: u64,
    started: Instant,
    first: bool,
}

impl<'c> Copy<'c> {
    pub async fn new(conn: &'c mut PgConnection, table: &'static str, columns: &str) -> Copy<'c> {
        let sink = conn
            .copy_in_raw(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await
            .unwrap_or_else(|e| panic!("COPY {table}: {e}"));
        Copy {
            sink,
            buf: String::with_capacity(CHUNK + 4096),
            table,
            rows: 0,
            started: Instant::now(),
            first: true,
        }
    }

    fn separate(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }

    /// A text field, escaped for COPY's text format.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separate();
        for c in value.chars() {
            match c {
                '\\' => self.buf.push_str("\\\\"),
                '\t' => self.buf.push_str("\\t"),
                '\n' => self.buf.push_str("\\n"),
                '\r' => self.buf.push_str("\\r"),
                c => self.buf.push(c),
            }
        }
        self
    }

    /// A number or any value whose text needs no escaping.
    pub fn num(&mut self, value: impl std::fmt::Display) -> &mut Self {
        self.separate();
        let _ = write!(self.buf, "{value}");
        self
    }

    pub fn null(&mut self) -> &mut Self {
        self.separate();
        self.buf.push_str("\\N");
        self
    }

    pub fn opt(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.text(v),
            None => self.null(),
        }
    }

    pub async fn end(&mut self) {
        self.buf.push('\n');
        self.first = true;
        self.rows += 1;
        if self.buf.len() >= CHUNK {
            self.flush().await;
        }
    }

    async fn flush(&mut self) {
        self.sink
            .send(self.buf.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("COPY {}: {e}", self.table));
        self.buf.clear();
    }

    /// Sends the rest, ends the COPY and prints the table's line of the report.
    pub async fn finish(mut self) -> (u64, f64) {
        self.flush().await;
        let table = self.table;
        self.sink.finish().await.unwrap_or_else(|e| panic!("COPY {table}: {e}"));
        let seconds = self.started.elapsed().as_secs_f64();
        println!(
            "| {table} | {} | {seconds:.1} | {:.0} |",
            self.rows,
            self.rows as f64 / seconds.max(1e-9)
        );
        (self.rows, seconds)
    }
}

/// An id in the product's UUID text form, unique per table (`tag`) and row.
pub fn id(tag: u32, n: u64) -> String {
    format!("{tag:08x}-0000-7000-8000-{n:012x}")
}

/// A valid 公民身份号码 (GB 11643) for person `n`: a Jinan address code, a birth date between
/// 1960 and 2002, a sequence number and the check character.
pub fn id_number(prefix: &str, n: u64) -> String {
    let day = n % 15_000;
    let sequence = n / 15_000 % 1000;
    let (year, month, dom) = civil(day);
    let body = format!("{prefix}{year:04}{month:02}{dom:02}{sequence:03}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// The calendar date `days` after 1960-01-01 (days up to 15,000: before 2002).
fn civil(days: u64) -> (u64, u64, u64) {
    let (mut year, mut left) = (1960, days);
    loop {
        let length = if year % 4 == 0 { 366 } else { 365 };
        if left < length {
            break;
        }
        left -= length;
        year += 1;
    }
    let february = if year % 4 == 0 { 29 } else { 28 };
    let months = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while left >= months[month] {
        left -= months[month];
        month += 1;
    }
    (year, month as u64 + 1, left + 1)
}

/// The masked form the product shows (`IdNumber::masked`).
pub fn masked_id(id_number: &str) -> String {
    zhujian::platform::types::IdNumber::parse(id_number)
        .expect("a generated ID number is valid")
        .masked()
}

/// A valid 统一社会信用代码 (GB 32100) for enterprise `n` registered in `district`.
pub fn credit_code(district: &str, n: u64, series: char) -> String {
    const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let prefix = format!("91{district}{series}{n:08}");
    let sum: usize = prefix
        .bytes()
        .zip(WEIGHTS)
        .map(|(c, w)| CHARSET.iter().position(|&x| x == c).unwrap() * w)
        .sum();
    format!("{prefix}{}", CHARSET[(31 - sum % 31) % 31] as char)
}

/// A cheap deterministic mix of `n`, for spreading values without a random generator.
pub fn mix(n: u64) -> u64 {
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const GIVEN: [&str; 16] = [
    "伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞",
];

/// A plausible Chinese name for person `n`.
pub fn name(n: u64) -> String {
    let m = mix(n);
    format!(
        "{}{}{}",
        SURNAMES[(m % 16) as usize],
        GIVEN[(m >> 8) as usize % 16],
        GIVEN[(m >> 16) as usize % 16]
    )
}

/// Jinan's districts and counties, the first two the busiest.
pub const DISTRICTS: [&str; 12] = [
    "370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117", "370124",
    "370126",
];

/// The district of enterprise `n`: the first districts hold more enterprises, as a city's
/// centre does.
pub fn district_of(n: u64) -> &'static str {
    let m = mix(n ^ 0xD1) % 100;
    let index = match m {
        0..=19 => 0,
        20..=34 => 1,
        35..=46 => 2,
        47..=56 => 3,
        _ => 4 + (m - 57) as usize % 8,
    };
    DISTRICTS[index]
}
