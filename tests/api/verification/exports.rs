//! The progress export as CSV and XLSX: the same rows, check-in times in Asia/Shanghai, the
//! same scope as the JSON progress.

use crate::both_engines;
use crate::harness::{Answer, Engine};
use crate::people::person;

use super::{approved, check_in, Setup, Try, SITE};

both_engines!(progress_exports_show_china_time_in_csv_and_xlsx);

/// Unix milliseconds as `YYYY-MM-DD HH:MM:SS` at UTC+8, counted out year by year and month by
/// month (independently of the product's civil-date algorithm).
fn shanghai(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let mut days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    assert!(days >= 0, "only times after 1970 are exported in these tests");
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    format!(
        "{year:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        month + 1,
        days + 1,
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

async fn download(s: &Setup, token: &str, extension: &str) -> (Answer, Vec<u8>) {
    let path = format!("/api/v1/verification/tasks/{}/progress.{extension}", s.task);
    let response = s
        .app
        .client
        .get(s.app.url(&path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap().to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or_default();
    (
        Answer {
            status,
            headers,
            body,
            text,
        },
        bytes,
    )
}

async fn progress_exports_show_china_time_in_csv_and_xlsx(engine: Engine) {
    let s = approved(engine).await;
    let app = &s.app;
    let p = person(app, "openid-p").await;
    let at = Try {
        token: &p,
        photo: "person-a-selfie.jpg",
        lat: SITE.0,
        lon: SITE.1,
        system: "wgs84",
        accuracy: 10.0,
        mock: false,
    };
    check_in(&s, at).await.expect(201);
    let recorded: i64 =
        sqlx::query_scalar("SELECT at FROM check_in_attempts WHERE task_id = $1 AND outcome <> 'refused'")
            .bind(&s.task)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    let expected = shanghai(recorded);

    // CSV, read back with the product's own reader.
    let (csv, _) = download(&s, &s.lixia, "csv").await;
    csv.expect(200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.header("content-disposition").unwrap().contains(".csv"));
    assert!(csv.text.starts_with('\u{feff}'));
    let rows: Vec<Vec<String>> = zhujian::platform::imports::records(&csv.text)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        rows[0],
        ["姓名", "身份证号", "是否打卡", "打卡时间", "复核标记", "尝试次数"]
    );
    assert_eq!(rows.len(), 3, "{}", csv.text);
    let checked: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[2] == "是").collect();
    assert_eq!(checked.len(), 1, "{}", csv.text);
    assert_eq!(checked[0][1], "110105********002X");
    assert_eq!(checked[0][3], expected, "Asia/Shanghai time of {recorded} ms");
    assert_eq!(checked[0][5], "1");
    assert!(!csv.text.contains(&recorded.to_string()), "no Unix milliseconds");
    let waiting = rows[1..].iter().find(|r| r[2] == "否").unwrap();
    assert_eq!(waiting[3], "");

    // XLSX: the same rows and columns, read back as a spreadsheet program would.
    let (xlsx, bytes) = download(&s, &s.lixia, "xlsx").await;
    xlsx.expect(200);
    assert_eq!(
        xlsx.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let disposition = xlsx.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains(&format!("verification-{}.xlsx", s.task)),
        "{disposition}"
    );
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("a workbook calamine can read");
    assert_eq!(book.sheet_names(), ["打卡进度"]);
    let sheet = book.worksheet_range("打卡进度").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|row| {
            let mut cells: Vec<String> = row
                .iter()
                .map(|cell| match cell {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Empty => String::new(),
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect();
            cells.resize(6, String::new());
            cells
        })
        .collect();
    assert_eq!(cells, rows, "the XLSX has the CSV's rows and columns");

    // The same scope as the JSON progress: another district, another enterprise, a person.
    for token in [&s.shizhong, &s.b] {
        for extension in ["csv", "xlsx"] {
            download(&s, token, extension)
                .await
                .0
                .expect_problem(404, "resource.not_found");
        }
    }
    download(&s, &p, "xlsx")
        .await
        .0
        .expect_problem(403, "auth.forbidden_role");
}

#[test]
fn the_tests_own_conversion() {
    assert_eq!(shanghai(0), "1970-01-01 08:00:00");
    assert_eq!(shanghai(951_753_600_000), "2000-02-29 00:00:00");
    assert_eq!(shanghai(1_795_276_799_999), "2026-11-21 23:59:59");
}
