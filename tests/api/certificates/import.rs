//! The historical import: good rows created, every bad field reported on its line, duplicates
//! in the file refused, a second import changes nothing, a conflicting one is refused; GB18030
//! CSV and XLSX read as UTF-8 CSV does; only the city station (and system administrators)
//! import; nothing personal is stored in clear.

use zhujian::platform::xlsx::{workbook, Cell, Sheet};

use super::{id_number, import, import_bytes, A, HEADER};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    rows_are_reported_one_by_one,
    files_as_people_save_them,
    only_the_city_imports
);

/// The report row of `line`.
fn row(report: &serde_json::Value, line: u64) -> &serde_json::Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["line"] == line)
        .unwrap_or_else(|| panic!("no row for line {line}: {report}"))
}

fn codes(row: &serde_json::Value) -> Vec<(String, String)> {
    row["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn rows_are_reported_one_by_one(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let (x, y) = (id_number("11010519800101001"), id_number("36010219900315002"));
    let csv = format!(
        "{HEADER}\n\
         B,,GB-0001,{x},王五,{A},甲建设有限公司,2024-03-01,2027-02-28,\n\
         特种作业,建筑电工,TZ-0001,{y},赵六,{A},甲建设有限公司,2024-03-01,2026-02-28,\n\
         D,,GB-0002,{x}1,王五,{A},甲建设有限公司,2024-03-01,2027-02-28,\n\
         特种作业,,TZ-0002,110105194912310021,赵六,{A},,2024-13-01,2026-02-28,\n\
         C,,GB-0003,{y},赵六,{A},甲建设有限公司,2024-03-01,2024-03-01,外星\n\
         B,,GB-0001,{y},赵六,{A},甲建设有限公司,2024-03-01,2027-02-28,\n\
         A,,GB-0001,{x},王五,{A},甲建设有限公司,2024-03-01,2027-02-28,\n"
    );
    let report = import(&app, &city, &csv).await;
    report.expect(200);
    let r = &report.body;
    assert_eq!(
        (r["created"].as_u64(), r["unchanged"].as_u64(), r["refused"].as_u64()),
        (Some(3), Some(0), Some(4)),
        "{}",
        report.text
    );
    assert_eq!(
        r["rows"].as_array().unwrap().len(),
        4,
        "created rows are counted, not listed: {r}"
    );
    assert_eq!(
        codes(row(r, 4)),
        [("kind", "certificate.kind_unknown"), ("id_number", "id_number.format")].map(|(f, c)| (f.into(), c.into()))
    );
    assert_eq!(row(r, 4)["number"], "GB-0002");
    assert_eq!(
        codes(row(r, 5)),
        [
            ("category", "certificate.category_invalid"),
            ("id_number", "id_number.check_character"),
            ("enterprise_name", "certificate.enterprise_name_invalid"),
            ("issued_on", "date.format"),
        ]
        .map(|(f, c)| (f.into(), c.into()))
    );
    assert_eq!(
        codes(row(r, 6)),
        [
            ("expires_on", "certificate.validity_invalid"),
            ("origin", "certificate.origin_unknown")
        ]
        .map(|(f, c)| (f.into(), c.into()))
    );
    // The same kind and number again in the file; the same number of another kind is another
    // certificate.
    assert_eq!(codes(row(r, 7)), [("".into(), "certificate.duplicate_in_file".into())]);
    assert_eq!(row(r, 7)["outcome"], "refused");

    // Nothing personal in clear: the ID numbers and names are sealed, hashed or masked.
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT holder_hash || holder_id_sealed || holder_id_masked || holder_name_sealed || holder_name_hash FROM certificates",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(stored.len(), 3);
    for text in &stored {
        for secret in [x.as_str(), y.as_str(), "王五", "赵六"] {
            assert!(!text.contains(secret), "{secret} stored in clear");
        }
    }

    // Importing the file again changes nothing; each row already there is reported unchanged.
    let again = import(&app, &city, &csv).await;
    again.expect(200);
    let a = &again.body;
    assert_eq!(
        (a["created"].as_u64(), a["unchanged"].as_u64(), a["refused"].as_u64()),
        (Some(0), Some(3), Some(4)),
        "{}",
        again.text
    );
    assert_eq!(row(a, 2)["outcome"], "unchanged");
    assert!(row(a, 2)["certificate_id"].is_string());
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM certificate_events")
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(events, 3, "one import event per certificate, none for an unchanged row");

    // The same certificate with another expiry or holder is refused, naming what differs.
    let changed = format!("{HEADER}\nB,,GB-0001,{y},王五,{A},甲建设有限公司,2024-03-01,2028-02-28,\n");
    let report = import(&app, &city, &changed).await;
    report.expect(200);
    assert_eq!(report.body["refused"], 1);
    let refused = row(&report.body, 2);
    assert_eq!(codes(refused), [("".into(), "certificate.import_conflict".into())]);
    let message = refused["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("id_number") && message.contains("expires_on") && !message.contains("name、"),
        "{message}"
    );

    // A header without the needed columns is refused as a whole.
    import(&app, &city, "kind,number\nB,X\n")
        .await
        .expect_problem(422, "import.columns_missing");
}

async fn files_as_people_save_them(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let x = id_number("11010519800101001");
    // Saved as "CSV" by Excel or WPS on Chinese Windows: GB18030.
    let csv =
        format!("{HEADER}\n特种作业,建筑电工,赣建特0001,{x},王五,{A},甲建设有限公司,2024-03-01,2026-12-31,进赣换证\n");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&csv);
    assert!(std::str::from_utf8(&bytes).is_err());
    let report = import_bytes(&app, &city, "text/csv", bytes.into_owned()).await;
    report.expect(200);
    assert_eq!(report.body["created"], 1, "{}", report.text);
    let list = app.get("/api/v1/certificates?number=赣建特0001", Some(&city)).await;
    list.expect(200);
    let c = &list.body[0];
    assert_eq!(c["holder_name"], "王五", "{}", list.text);
    assert_eq!(c["category"], "electrician");
    assert_eq!(c["category_label"], "建筑电工");
    assert_eq!(c["origin"], "transfer_in");
    assert_eq!(c["enterprise_name"], "甲建设有限公司");
    assert_eq!(c["holder_id_number_masked"], format!("{}********{}", &x[..6], &x[14..]));

    // An XLSX workbook, its first sheet.
    let text = |v: &str| Cell::Text(v.into());
    let header: Vec<Cell> = HEADER.split(',').map(text).collect();
    let sheet = Sheet {
        name: "证书".into(),
        rows: vec![
            header,
            [
                "C",
                "",
                "赣建安C(2024)0007",
                &x,
                "王五",
                A,
                "甲建设有限公司",
                "2024-03-01",
                "2027-02-28",
                "",
            ]
            .map(text)
            .to_vec(),
            [
                "C",
                "",
                "",
                &x,
                "王五",
                A,
                "甲建设有限公司",
                "2024-03-01",
                "2027-02-28",
                "",
            ]
            .map(text)
            .to_vec(),
        ],
    };
    const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let report = import_bytes(&app, &city, XLSX, workbook(&[sheet])).await;
    report.expect(200);
    assert_eq!(report.body["created"], 1, "{}", report.text);
    assert_eq!(
        report.body["rows"][0]["line"], 3,
        "spreadsheet row numbers: {}",
        report.text
    );
    assert_eq!(
        report.body["rows"][0]["errors"][0]["code"],
        "certificate.number_invalid"
    );
    let list = app.get("/api/v1/certificates?kind=C", Some(&city)).await;
    assert_eq!(super::numbers(&list.body), ["赣建安C(2024)0007"]);
}

async fn only_the_city_imports(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let admin = app.staff_token("admin1", "sysadmin", None).await;
    let district = app.staff_token("lixia", "district", Some("370102")).await;
    let supervisor = app.staff_token("sup1", "supervisor", Some("370102")).await;
    let (_, password) = app.enterprise_account(&city, A, "370102", "13912345678").await;
    let enterprise = app.enterprise_token(A, &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let csv = format!(
        "{HEADER}\nB,,GB-1,{},王五,{A},甲,2024-03-01,2027-02-28,\n",
        id_number("11010519800101001")
    );
    for token in [&district, &supervisor, &enterprise] {
        import(&app, token, &csv)
            .await
            .expect_problem(403, "auth.forbidden_role");
    }
    import(&app, &admin, &csv).await.expect(200);
    // The system administrator imports but reads no one's certificates.
    app.get("/api/v1/certificates", Some(&admin))
        .await
        .expect_problem(403, "auth.forbidden_role");
    let report = import(&app, &city, &csv).await;
    assert_eq!(report.body["unchanged"], 1, "{}", report.text);
}
