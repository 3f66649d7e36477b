//! Certificates: the historical import with its per-row report, statuses computed from the
//! facts, my certificates, the scope of enterprises and staff, and the public lookup.

use serde_json::Value;

use crate::harness::{Answer, Engine, TestApp};
use crate::people::{person, photo, register, ID};

mod electronic;
mod import;
mod public;
mod scope;
mod statuses;

pub(crate) const A: &str = "91350100M000100Y43";
pub(crate) const B: &str = "91110000802100433B";

/// `digits` (17) with their GB 11643 check character.
pub(crate) fn id_number(digits: &str) -> String {
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = digits.bytes().zip(weights).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{digits}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

pub(crate) const HEADER: &str =
    "kind,category,number,id_number,name,enterprise_credit_code,enterprise_name,issued_on,expires_on,origin";

pub(crate) async fn import(app: &TestApp, token: &str, csv: &str) -> Answer {
    import_bytes(app, token, "text/csv", csv.as_bytes().to_vec()).await
}

pub(crate) async fn import_bytes(app: &TestApp, token: &str, content_type: &str, body: Vec<u8>) -> Answer {
    app.send(
        app.client
            .post(app.url("/api/v1/certificates/import"))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

pub(crate) struct World {
    pub app: TestApp,
    pub city: String,
    /// District staff of A's district (370102) and of B's (370103).
    pub lixia: String,
    pub shizhong: String,
    pub a: String,
    pub b: String,
    /// The enterprises' passwords (the portal's sign-in).
    pub a_password: String,
    pub b_password: String,
    /// Registered as 张三 with `ID`, employed by A.
    pub p: String,
}

/// Two enterprises in two districts, and a registered person employed by A.
pub(crate) async fn world(engine: Engine) -> World {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let shizhong = app.staff_token("shizhong", "district", Some("370103")).await;
    let (_, pa) = app.enterprise_account(&city, A, "370102", "13912345678").await;
    let (_, pb) = app.enterprise_account(&city, B, "370103", "13912345679").await;
    let token = |a: Answer| a.body["access_token"].as_str().unwrap().to_owned();
    let a = token(app.enterprise_token(A, &pa).await);
    let b = token(app.enterprise_token(B, &pb).await);
    let p = person(&app, "openid-p").await;
    register(&app, &p, photo("person-a-portrait.jpg"), photo("person-a-selfie.jpg"))
        .await
        .expect(200);
    let request = app
        .post("/api/v1/employment/requests", crate::employment::offer(), Some(&a))
        .await;
    request.expect(201);
    let request = request.body["id"].as_str().unwrap().to_owned();
    crate::employment::accept(&app, &p, &request, photo("person-a-selfie.jpg"))
        .await
        .expect(201);
    World {
        app,
        city,
        lixia,
        shizhong,
        a,
        b,
        a_password: pa,
        b_password: pb,
        p,
    }
}

/// The certificates of the scope tests, all held by the registered person (`ID`, 张三) but
/// `OTHER-1`, whose holder never registered:
/// B-1 safety B under A, in use; T-2 electrician under B (employer differs); A-3 safety A
/// under A, expired; T-4 and T-5 two scaffolder certificates (too many); C-6 safety C, a
/// supplement (newly archived); T-7 signaller, transferred in.
pub(crate) fn certificates_csv() -> String {
    let other = id_number("11010519800101001");
    format!(
        "{HEADER}\n\
         B,,B-1,{ID},张三,{A},甲建设有限公司,2024-03-01,2035-02-28,\n\
         特种作业,建筑电工,T-2,{ID},张三,{B},乙建设有限公司,2024-03-01,2035-02-28,\n\
         A,,A-3,{ID},张三,{A},甲建设有限公司,2017-03-01,2020-02-29,\n\
         special,scaffolder,T-4,{ID},张三,{A},甲建设有限公司,2023-03-01,2035-02-28,\n\
         special,建筑架子工（普通脚手架）,T-5,{ID},张三,{A},甲建设有限公司,2024-03-01,2035-02-28,\n\
         C,,C-6,{ID},张三,{A},甲建设有限公司,2024-03-01,2035-02-28,新增归档\n\
         special,signaller_rigger,T-7,{ID},张三,{A},甲建设有限公司,2024-03-01,2035-02-28,进赣换证\n\
         B,,OTHER-1,{other},李四,{A},甲建设有限公司,2024-03-01,2035-02-28,\n"
    )
}

/// Imports `certificates_csv` as the city station.
pub(crate) async fn import_certificates(w: &World) {
    let report = import(&w.app, &w.city, &certificates_csv()).await;
    report.expect(200);
    assert_eq!(report.body["created"], 8, "{}", report.text);
}

/// The certificate numbers of a list answer, sorted.
pub(crate) fn numbers(list: &Value) -> Vec<String> {
    let items = list.as_array().unwrap_or_else(|| panic!("not a list: {list}"));
    let mut numbers: Vec<String> = items
        .iter()
        .map(|c| {
            let c = if c.get("certificate").is_some() {
                &c["certificate"]
            } else {
                c
            };
            c["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    numbers
}

/// The id of the certificate numbered `number` as the city sees it.
pub(crate) async fn id_of(w: &World, number: &str) -> String {
    let list = w
        .app
        .get(&format!("/api/v1/certificates?number={number}"), Some(&w.city))
        .await;
    list.expect(200);
    list.body[0]["id"].as_str().unwrap().to_owned()
}
