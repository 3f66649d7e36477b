//! Imports of files as people save them: CSV written by Excel or WPS on Chinese Windows
//! (GB18030, not UTF-8) and XLSX workbooks read like CSV; what is neither is refused with a
//! code that says so.

use crate::both_engines;
use crate::harness::{Answer, Engine, TestApp};
use zhujian::platform::xlsx::{workbook, Cell, Sheet};

both_engines!(spreadsheet_files_import_as_csv_does);

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn import(app: &TestApp, token: &str, content_type: &str, body: Vec<u8>) -> Answer {
    app.send(
        app.client
            .post(app.url("/api/v1/enterprises/import"))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

/// `prefix` (17 characters) with its GB 32100 check character.
fn credit_code(prefix: &str) -> String {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    let sum: usize = prefix
        .chars()
        .zip([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
        .map(|(c, w)| ALPHABET.find(c).unwrap() * w)
        .sum();
    format!("{prefix}{}", ALPHABET.as_bytes()[(31 - sum % 31) % 31] as char)
}

async fn spreadsheet_files_import_as_csv_does(engine: Engine) {
    let app = TestApp::start(engine).await;
    let district = app.staff_token("lixia", "district", Some("370102")).await;

    // Saved as "CSV" by Excel or WPS on Chinese Windows: GB18030, not UTF-8.
    let csv = format!(
        "credit_code,name,district_code,contact_name,contact_phone\n{},历下丙建设有限公司,370102,王六,13811110006\n",
        credit_code("91370102MA3C4X5Y7")
    );
    let (bytes, _, _) = encoding_rs::GB18030.encode(&csv);
    assert!(std::str::from_utf8(&bytes).is_err());
    let report = import(&app, &district, "text/csv", bytes.into_owned()).await;
    report.expect(200);
    assert_eq!(report.body["created"], 1, "{}", report.text);
    let id = report.body["rows"][0]["enterprise_id"].as_str().unwrap();
    let created = app.get(&format!("/api/v1/enterprises/{id}"), Some(&district)).await;
    assert_eq!(created.body["name"], "历下丙建设有限公司", "{}", created.text);
    import(&app, &district, "text/csv", b"credit_code,name\n\x80\xff,x\n".to_vec())
        .await
        .expect_problem(422, "import.encoding_unknown");

    // An XLSX workbook: its first sheet, numbers typed as numbers.
    let text = |v: &str| Cell::Text(v.into());
    let sheet = Sheet {
        name: "企业".into(),
        rows: vec![
            ["credit_code", "name", "district_code", "contact_name", "contact_phone"]
                .map(text)
                .to_vec(),
            vec![
                text(&credit_code("91370102MA3C4X5Y8")),
                text("历下丁建设有限公司"),
                Cell::Number(370102.0),
                text("赵七"),
                Cell::Number(13811110007.0),
            ],
        ],
    };
    let report = import(&app, &district, XLSX, workbook(&[sheet])).await;
    report.expect(200);
    assert_eq!(report.body["created"], 1, "{}", report.text);
    assert_eq!(
        report.body["rows"][0]["line"], 2,
        "spreadsheet row numbers: {}",
        report.text
    );
    assert!(
        app.sms.last_to("13811110007").is_some(),
        "the phone typed as a number is the phone"
    );
    import(&app, &district, XLSX, b"PK\x03\x04 and nothing a zip has".to_vec())
        .await
        .expect_problem(422, "import.workbook_unreadable");
}
