//! Journey 2: enterprises. The list filtered, sorted and paged on the server within the
//! caller's district, as the API lists them; an enterprise's page with its profile,
//! qualifications, change history and business licence previewed inline; another district's
//! enterprise refused with the API's `resource.not_found`.

use serde_json::json;

use super::{artefact, browser, client, console_session, sign_in, PASSWORD};
use crate::both_engines;
use crate::harness::{Engine, TestApp};

both_engines!(
    the_list_pages_sorts_and_filters_within_the_district,
    another_districts_enterprise_is_the_apis_not_found,
    an_enterprise_is_found_opened_and_its_licence_previewed
);

/// What each seeded enterprise is, from its number: the tests count what to expect from it.
struct Seeded {
    n: usize,
    name: String,
    district: &'static str,
    non_local: bool,
    licensed: bool,
    qualified: bool,
}

fn seeded(n: usize) -> Seeded {
    Seeded {
        n,
        name: format!("测试企业{n:03}"),
        district: if n % 2 == 0 { "370102" } else { "370103" },
        non_local: n % 5 == 0,
        licensed: n % 3 == 0,
        qualified: n % 4 == 0,
    }
}

/// `count` enterprises written straight to the database (the API opens accounts one by one,
/// each with an SMS): two districts, every fifth non-local, every third licensed, every fourth
/// with a general-contracting qualification.
pub async fn seed(app: &TestApp, count: usize) {
    let db = &app.state.db;
    for n in 0..count {
        let e = seeded(n);
        let id = format!("ent-{n:03}");
        sqlx::query(
            "INSERT INTO enterprises (id, credit_code, name, district_code, contact_name, contact_phone, password_hash, status, \
             created_at, updated_at, locality, safety_licence_number) VALUES ($1, $2, $3, $4, '联系人', '!', '!', 'active', $5, $5, $6, $7)",
        )
        .bind(&id)
        .bind(format!("91370100MA{n:08}"))
        .bind(&e.name)
        .bind(e.district)
        // Opened in the reverse order of their numbers, so no sort is the seeding's order.
        .bind(1_790_000_000_000_i64 - n as i64 * 60_000)
        .bind(if e.non_local { "non_local" } else { "local" })
        .bind(e.licensed.then(|| format!("(鲁)JZ安许证字[2026]{n:06}")))
        .execute(db)
        .await
        .unwrap();
        let mut conn = db.acquire().await.unwrap();
        zhujian::enterprises::index_for_search(&mut conn, &id.as_str().into())
            .await
            .unwrap();
        if e.qualified {
            sqlx::query(
                "INSERT INTO enterprise_qualifications (id, enterprise_id, category, grade, issued_on, created_at) \
                 VALUES ($1, $2, '建筑工程施工总承包', '二级', '2025-01-01', 0)",
            )
            .bind(format!("q-{n:03}"))
            .bind(&id)
            .execute(db)
            .await
            .unwrap();
        }
    }
}

/// Waits up to five seconds for a script's condition to hold in the page (after an htmx swap).
pub async fn until(browser: &super::Browser, condition: &str) {
    let started = std::time::Instant::now();
    while browser.run(&format!("return {condition}")).await != true {
        assert!(started.elapsed().as_secs() < 5, "never true: {condition}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Clicks `css` inside the table's area and waits until htmx has swapped a new area in.
pub async fn swap_by(browser: &super::Browser, css: &str) {
    browser
        .run("document.querySelector('#table-area').dataset.old = 'yes'")
        .await;
    browser.click(css).await;
    until(
        browser,
        "document.querySelector('#table-area').dataset.old === undefined",
    )
    .await;
}

/// A console page as `session` sees it: its status and HTML, with `&` unescaped in links.
pub async fn page(app: &TestApp, session: &str, path: &str) -> (u16, String) {
    let answer = client()
        .get(app.url(path))
        .header("cookie", format!("zj_console={session}"))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let html = answer.text().await.unwrap();
    (status, html.replace("&#38;", "&").replace("&amp;", "&"))
}

/// The names in the enterprises table, in its order.
fn names(html: &str) -> Vec<String> {
    html.split("<tr data-id=\"")
        .skip(1)
        .map(|row| {
            let link = row.split("hx-boost=\"false\">").nth(1).unwrap();
            link.split("</a>").next().unwrap().to_owned()
        })
        .collect()
}

/// The total the pager shows.
pub fn total(html: &str) -> usize {
    let after = html.split("<strong id=\"pager-total\">").nth(1).expect("a pager");
    after.split('<').next().unwrap().parse().unwrap()
}

async fn the_list_pages_sorts_and_filters_within_the_district(engine: Engine) {
    const COUNT: usize = 45;
    let app = TestApp::start(engine).await;
    seed(&app, COUNT).await;
    let token = app.staff_token("lixia", "district", Some("370102")).await;
    let session = console_session(&app, "lixia", PASSWORD).await;
    let mine: Vec<Seeded> = (0..COUNT).map(seeded).filter(|e| e.district == "370102").collect();

    // The first page: 20 of the district's enterprises by name, as the API lists them.
    let (status, first) = page(&app, &session, "/console/enterprises").await;
    assert_eq!(status, 200);
    assert_eq!(total(&first), mine.len());
    let api = app.get("/api/v1/enterprises?per_page=20", Some(&token)).await;
    let api_names: Vec<String> = api
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names(&first), api_names, "the console's first page is the API's");
    assert!(
        first.contains(r#"href="/console/enterprises?sort=name&dir=desc&page=1""#),
        "the sorted column turns around"
    );

    // The last page holds the rest; a page beyond it is empty, not an error.
    let (_, second) = page(&app, &session, "/console/enterprises?page=2").await;
    assert_eq!(names(&second).len(), mine.len() - 20);
    let (status, beyond) = page(&app, &session, "/console/enterprises?page=99").await;
    assert_eq!((status, names(&beyond).len()), (200, 0));
    assert!(beyond.contains("id=\"no-rows\""));

    // Sorted by the time the account was opened, newest first: the lowest numbers.
    let (_, newest) = page(&app, &session, "/console/enterprises?sort=created_at&dir=desc").await;
    let mut expected: Vec<&Seeded> = mine.iter().collect();
    expected.sort_by_key(|e| e.n);
    let expected: Vec<String> = expected.iter().take(20).map(|e| e.name.clone()).collect();
    assert_eq!(names(&newest), expected);
    assert!(newest.contains(r#"aria-sort="descending""#));
    let (_, by_name_desc) = page(&app, &session, "/console/enterprises?sort=name&dir=desc").await;
    let mut desc: Vec<String> = mine.iter().map(|e| e.name.clone()).collect();
    desc.sort_by(|a, b| b.cmp(a));
    assert_eq!(names(&by_name_desc), desc[..20]);

    // Filters, alone and together; the links keep them.
    let count = |f: &dyn Fn(&Seeded) -> bool| mine.iter().filter(|e| f(e)).count();
    let (_, non_local) = page(&app, &session, "/console/enterprises?locality=non_local").await;
    assert_eq!(total(&non_local), count(&|e| e.non_local));
    let (_, licensed) = page(&app, &session, "/console/enterprises?licence=held&locality=local").await;
    assert_eq!(total(&licensed), count(&|e| e.licensed && !e.non_local));
    let (_, qualified) = page(
        &app,
        &session,
        "/console/enterprises?qualification=%E6%96%BD%E5%B7%A5%E6%80%BB%E6%89%BF%E5%8C%85",
    )
    .await;
    assert_eq!(total(&qualified), count(&|e| e.qualified));
    let (_, by_text) = page(
        &app,
        &session,
        "/console/enterprises?q=%E4%BC%81%E4%B8%9A01&sort=created_at",
    )
    .await;
    assert_eq!(total(&by_text), count(&|e| e.name.contains("企业01")));
    assert!(
        by_text.contains("q=%E4%BC%81%E4%B8%9A01&sort=created_at&dir=desc&page=1")
            && by_text.contains("q=%E4%BC%81%E4%B8%9A01&sort=name&dir=asc&page=1"),
        "sort links keep the search"
    );
    let (_, by_code) = page(&app, &session, "/console/enterprises?q=ma00000004").await;
    assert_eq!(names(&by_code), ["测试企业004"], "the credit code, whatever its case");
    let (_, literal) = page(&app, &session, "/console/enterprises?q=%25").await;
    assert_eq!(total(&literal), 0, "a % is searched for, not a wildcard");

    // Another district asked for by filter: still only this district's.
    let (_, foreign) = page(&app, &session, "/console/enterprises?district=370103").await;
    assert_eq!(total(&foreign), 0);
    // Odd input falls back to the defaults rather than failing.
    let (status, odd) = page(
        &app,
        &session,
        "/console/enterprises?sort=password_hash&dir=up&page=-3&locality=mars",
    )
    .await;
    assert_eq!((status, total(&odd)), (200, mine.len()));

    // City staff see both districts.
    app.staff_token("city1", "city", None).await;
    let city = console_session(&app, "city1", PASSWORD).await;
    let (_, all) = page(&app, &city, "/console/enterprises").await;
    assert_eq!(total(&all), COUNT);
    let (_, shizhong) = page(&app, &city, "/console/enterprises?district=370103&sort=name").await;
    assert_eq!(total(&shizhong), COUNT - mine.len());
}

async fn another_districts_enterprise_is_the_apis_not_found(engine: Engine) {
    let app = TestApp::start(engine).await;
    seed(&app, 2).await;
    let token = app.staff_token("lixia", "district", Some("370102")).await;
    let session = console_session(&app, "lixia", PASSWORD).await;
    let (status, own) = page(&app, &session, "/console/enterprises/ent-000").await;
    assert_eq!(status, 200);
    assert!(own.contains("测试企业000"));
    let (status, foreign) = page(&app, &session, "/console/enterprises/ent-001").await;
    let api = app.get("/api/v1/enterprises/ent-001", Some(&token)).await;
    api.expect_problem(404, "resource.not_found");
    assert_eq!(status, 404);
    assert!(
        foreign.contains(r#"<code id="notice-code">resource.not_found</code>"#),
        "{foreign}"
    );
    assert!(
        foreign.contains(api.body["detail"].as_str().unwrap()),
        "the API's message"
    );
    assert!(!foreign.contains("测试企业001"));
}

async fn an_enterprise_is_found_opened_and_its_licence_previewed(engine: Engine) {
    let app = TestApp::start(engine).await;
    let city = app.staff_token("city1", "city", None).await;
    app.staff_token("lixia", "district", Some("370102")).await;
    app.staff_token("shizhong", "district", Some("370103")).await;
    seed(&app, 30).await;
    let (id, password) = app
        .enterprise_account(&city, "91350100M000100Y43", "370102", "13912345678")
        .await;
    let own = app.enterprise_token("91350100M000100Y43", &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let qualification = json!({"category": "建筑工程施工总承包", "grade": "一级", "certificate_number": "D237000001", "issued_on": "2025-03-01"});
    app.post(
        &format!("/api/v1/enterprises/{id}/qualifications"),
        qualification,
        Some(&own),
    )
    .await
    .expect(201);
    app.patch(
        &format!("/api/v1/enterprises/{id}"),
        json!({"registered_address": "济南市历下区泉城路 1 号"}),
        Some(&city),
    )
    .await
    .expect(200);
    let licence = app
        .upload(&own, "business_licence", "营业执照.pdf", crate::files::pdf(4000))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let put = app
        .client
        .put(app.url(&format!("/api/v1/enterprises/{id}/business-licence")))
        .bearer_auth(&own)
        .json(&json!({"document_id": licence}));
    app.send(put).await.expect(200);

    let (browser, _place) = browser().await;
    sign_in(&browser, &app, "lixia", PASSWORD).await;
    browser.submit(r#"nav a[href="/console/enterprises"]"#).await;
    assert_eq!(browser.text("h1").await, "企业");
    browser.fill("#f-q", "91350100M000100").await;
    swap_by(&browser, "#apply-filters").await;
    assert_eq!(browser.text("#pager-total").await, "1");
    assert_eq!(
        browser.text("#enterprises tbody").await.lines().count(),
        1,
        "found by its credit code"
    );
    until(&browser, "location.search.includes('q=91350100M000100')").await;
    // Back to every enterprise, sorted by a header click (htmx swaps the table in place).
    browser.goto(&app.url("/console/enterprises?locality=local")).await;
    swap_by(&browser, r#"a.sort[data-sort="created_at"]"#).await;
    assert!(browser.text("th[aria-sort]").await.starts_with("开通时间"));
    until(&browser, "location.search.includes('sort=created_at')").await;
    assert!(
        browser.url().await.contains("locality=local"),
        "sorting keeps the filter"
    );
    browser.run("window.scrollTo(0, 0)").await;
    browser.screenshot(&artefact("enterprises-list", engine)).await;

    browser.goto(&app.url(&format!("/console/enterprises/{id}"))).await;
    assert_eq!(browser.text("#enterprise-name").await, "企业91350100M000100Y43");
    assert!(browser.text("#qualifications").await.contains("D237000001"));
    let history = browser.text("#history").await;
    assert!(history.contains("济南市历下区泉城路 1 号"), "{history}");
    let src = browser
        .run(&format!(
            r#"return document.querySelector('figure[data-document="{licence}"] iframe').getAttribute('src')"#
        ))
        .await;
    assert_eq!(
        src,
        format!("/console/documents/{licence}").as_str(),
        "the PDF is previewed inline"
    );
    browser.screenshot(&artefact("enterprise", engine)).await;

    // Another district's staff: the API's refusal, on the page.
    browser.submit("#sign-out").await;
    sign_in(&browser, &app, "shizhong", PASSWORD).await;
    browser.goto(&app.url(&format!("/console/enterprises/{id}"))).await;
    assert_eq!(browser.text("#notice-code").await, "resource.not_found");
    assert!(
        browser
            .run("return document.querySelector('#enterprise-name') === null")
            .await
            == true
    );
    browser.screenshot(&artefact("enterprise-refused", engine)).await;
}
