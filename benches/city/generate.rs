//! The city-scale dataset (issue 19 part 1), written with COPY into the schema the real
//! migrations made: persons with registered identities (ID number, name, phone and face sealed
//! with the product's keys, the ID number's keyed hash) and the 1:N face index's change log,
//! their portraits (rows, and objects in the local store behind them), enterprises with valid
//! credit codes across Jinan's districts, qualifications, employment requests and relations
//! (5–50 per enterprise, each person one ended and one current), verification tasks of two
//! years with their selections, check-in attempts, inbox notifications, certificates held under
//! the persons' ID numbers, two years of assessments of every enterprise, and the services'
//! queues (`services`: applications on the certificates, projects and their assessments).

use std::path::{Path, PathBuf};
use std::time::Instant;

use sqlx::Connection;
use zhujian::platform::ids::PersonId;

use crate::copy::{credit_code, district_of, id, id_number, masked_id, mix, name, Copy};

/// The row counts of the city, times the scale.
pub struct Sizes {
    pub persons: u64,
    pub enterprises: u64,
    pub relations: u64,
    pub attempts: u64,
    pub documents: u64,
    pub certificates: u64,
}

impl Sizes {
    pub fn at(scale: f64) -> Sizes {
        let n = |full: f64| ((full * scale).round() as u64).max(10);
        Sizes {
            persons: n(1e6),
            enterprises: n(1e5),
            relations: n(2e6),
            attempts: n(1e7),
            documents: n(1e6),
            certificates: n(5e5),
        }
    }
}

/// Tags of the generated ids, one per table.
const PERSON: u32 = 0xC1;
const DOCUMENT: u32 = 0xC2;
const ENTERPRISE: u32 = 0xC3;
const QUALIFICATION: u32 = 0xC4;
const RELATION: u32 = 0xC5;
const TASK: u32 = 0xC6;
const ATTEMPT: u32 = 0xC7;
const NOTIFICATION: u32 = 0xC8;
const CERTIFICATE: u32 = 0xC9;
const ASSESSMENT: u32 = 0xCA;

/// Two tasks per enterprise (2025's first-time and 2026's routine verification); five
/// selected people per task.
pub const TASKS_PER_ENTERPRISE: u64 = 2;
pub const SELECTED: u64 = 5;
/// 2024-01-01 in Unix milliseconds: the history starts there.
const HISTORY_START: i64 = 1_704_067_200_000;
const YEAR_MS: i64 = 365 * 86_400_000;

/// Fills the database at `url` and prints a table: rows, seconds and rows/s per table, and the
/// total (with the closing VACUUM ANALYZE, what autovacuum would have done by then).
pub async fn city(url: &str, keys: &zhujian::platform::crypto::Keys, objects: &Path, sizes: &Sizes) -> f64 {
    let started = Instant::now();
    let mut conn = sqlx::postgres::PgConnection::connect(url).await.unwrap();
    sqlx::query("SET synchronous_commit = off")
        .execute(&mut conn)
        .await
        .unwrap();
    println!("| table | rows | seconds | rows/s |");
    println!("|---|---|---|---|");
    let mut rows = 0;
    rows += documents(&mut conn, objects, sizes).await;
    rows += people(&mut conn, sizes).await;
    rows += identities(&mut conn, keys, sizes).await;
    rows += face_index(&mut conn, sizes).await;
    rows += enterprises(&mut conn, keys, sizes).await;
    rows += search_grams(&mut conn, sizes).await;
    rows += qualifications(&mut conn, sizes).await;
    rows += crate::history::relations(&mut conn, sizes).await;
    rows += crate::history::tasks(&mut conn, sizes).await;
    rows += crate::history::selections(&mut conn, sizes).await;
    rows += crate::history::attempts(&mut conn, sizes).await;
    rows += crate::history::notifications(&mut conn, sizes).await;
    rows += crate::history::certificates(&mut conn, keys, sizes).await;
    rows += crate::history::assessments(&mut conn, sizes).await;
    rows += crate::services::applications(&mut conn, sizes).await;
    rows += crate::services::projects(&mut conn, sizes).await;
    let settle = Instant::now();
    sqlx::query("VACUUM ANALYZE").execute(&mut conn).await.unwrap();
    println!("| (VACUUM ANALYZE) | | {:.1} | |", settle.elapsed().as_secs_f64());
    let seconds = started.elapsed().as_secs_f64();
    println!("| **total** | {rows} | {seconds:.1} | {:.0} |", rows as f64 / seconds);
    seconds
}

pub fn person_id(n: u64) -> String {
    id(PERSON, n)
}
pub fn document_id(n: u64) -> String {
    id(DOCUMENT, n)
}
pub fn enterprise_id(n: u64) -> String {
    id(ENTERPRISE, n)
}
pub fn qualification_id(n: u64) -> String {
    id(QUALIFICATION, n)
}
pub fn relation_id(n: u64) -> String {
    id(RELATION, n)
}
pub fn task_id(n: u64) -> String {
    id(TASK, n)
}
pub fn attempt_id(n: u64) -> String {
    id(ATTEMPT, n)
}
pub fn notification_id(n: u64) -> String {
    id(NOTIFICATION, n)
}
pub fn certificate_id(n: u64) -> String {
    id(CERTIFICATE, n)
}
pub fn assessment_id(n: u64) -> String {
    id(ASSESSMENT, n)
}

/// Person `n`'s ID number (address codes of Jinan's districts; the fixtures use Beijing's).
pub fn person_id_number(n: u64) -> String {
    id_number(crate::copy::DISTRICTS[(n % 12) as usize], n / 12)
}

/// When something happened `fraction` (0..1) of the way through the history's three years.
pub fn moment(fraction: f64) -> i64 {
    HISTORY_START + (fraction * 3.0 * YEAR_MS as f64) as i64
}

/// The key of portrait `n`, a thousand to a folder.
fn portrait_key(n: u64) -> String {
    format!("city/portraits/{}/{n}.jpg", n / 1000)
}

/// Portraits: one per person, each row with its object in the local store (`objects`, the
/// store's root). The objects are hard links to one file per folder: a million of them cost
/// folders, not gigabytes, and the backup still reads and copies each.
async fn documents(conn: &mut sqlx::postgres::PgConnection, objects: &Path, s: &Sizes) -> u64 {
    let (bytes, sha256) = crate::fixtures::portrait_object();
    let linked = std::thread::spawn({
        let (objects, bytes, count) = (objects.to_owned(), bytes.clone(), s.documents);
        move || link_portraits(&objects, &bytes, count)
    });
    let mut c = Copy::new(
        conn,
        "documents",
        "id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, uploaded_by, created_at, state, attached_kind, attached_id",
    )
    .await;
    for n in 0..s.documents {
        let owner = person_id(n % s.persons);
        let at = moment(n as f64 / s.documents as f64);
        c.text(&document_id(n))
            .text("person")
            .text(&owner)
            .text("id_portrait")
            .text("image/jpeg");
        c.num(bytes.len()).text(&sha256);
        c.text(&portrait_key(n))
            .text("portrait.jpg")
            .text(&owner)
            .num(at)
            .text("locked");
        c.text("person_identity").text(&owner);
        c.end().await;
    }
    let rows = c.finish().await.0;
    let (count, seconds) = linked.join().unwrap();
    println!(
        "| (portrait objects, linked) | {count} | {seconds:.1} | {:.0} |",
        count as f64 / seconds
    );
    rows
}

/// Writes the first portrait of each folder and links the folder's others to it (a file
/// takes at most 65,000 links on ext4); returns how many and how long.
fn link_portraits(objects: &Path, bytes: &[u8], count: u64) -> (u64, f64) {
    let started = Instant::now();
    let path = |n: u64| -> PathBuf { objects.join(portrait_key(n)) };
    for n in 0..count {
        let (first, object) = (path(n - n % 1000), path(n));
        if n.is_multiple_of(1000) {
            std::fs::create_dir_all(first.parent().unwrap()).unwrap();
            std::fs::write(&first, bytes).unwrap();
        } else {
            std::fs::hard_link(&first, &object).unwrap_or_else(|e| panic!("{}: {e}", object.display()));
        }
    }
    (count, started.elapsed().as_secs_f64())
}

async fn people(conn: &mut sqlx::postgres::PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(
        conn,
        "people",
        "id, openid, status, created_at, updated_at, last_login_at",
    )
    .await;
    for n in 0..s.persons {
        let at = moment(n as f64 / s.persons as f64 * 0.5);
        c.text(&person_id(n))
            .text(&format!("city-openid-{n}"))
            .text("registered");
        c.num(at).num(at).num(at + 86_400_000);
        c.end().await;
    }
    c.finish().await.0
}

/// Registered identities, sealed as `people::store::register` seals them.
async fn identities(conn: &mut sqlx::postgres::PgConnection, keys: &zhujian::platform::crypto::Keys, s: &Sizes) -> u64 {
    use zhujian::people::store::context;
    let mut c = Copy::new(
        conn,
        "person_identities",
        "person_id, id_number_hash, id_number_sealed, id_number_masked, name_sealed, phone_sealed, phone_masked, \
         portrait_document_id, selfie_document_id, face_sealed, registered_at, updated_at, state",
    )
    .await;
    for n in 0..s.persons {
        let person = PersonId::from(person_id(n));
        let number = person_id_number(n);
        let phone = format!("13{:09}", mix(n) % 1_000_000_000);
        let at = moment(n as f64 / s.persons as f64 * 0.5) + 3_600_000;
        let document = document_id(n % s.documents);
        c.text(person.as_str())
            .text(&zhujian::people::id_number_key(keys, &number));
        c.text(&keys.seal(&context(&person, "id_number"), number.as_bytes()))
            .text(&masked_id(&number));
        c.text(&keys.seal(&context(&person, "name"), name(n).as_bytes()));
        c.text(&keys.seal(&context(&person, "phone"), phone.as_bytes()));
        c.text(&format!("{}****{}", &phone[..3], &phone[7..]));
        c.text(&document)
            .text(&document)
            .text(&keys.seal(&context(&person, "face"), &face(n)));
        c.num(at).num(at).text("active");
        c.end().await;
    }
    c.finish().await.0
}

/// Person `n`'s face descriptor as stored: 128 little-endian floats of unit length, spread
/// as random directions are (two of them lie about 1.4 apart, far outside the match
/// threshold, as two strangers' faces do).
fn face(n: u64) -> Vec<u8> {
    let raw: Vec<f32> = (0..128u64)
        .map(|i| (mix(n << 7 | i) % 2001) as f32 / 1000.0 - 1.0)
        .collect();
    let norm = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    raw.iter().flat_map(|x| (x / norm).to_le_bytes()).collect()
}

/// The 1:N index's change log: every identity enrolled, numbered in registration order, as
/// the migration that introduced it numbered the existing ones.
async fn face_index(conn: &mut sqlx::postgres::PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(conn, "face_index", "person_id, seq").await;
    for n in 0..s.persons {
        c.text(&person_id(n)).num(n + 1);
        c.end().await;
    }
    let rows = c.finish().await.0;
    sqlx::query("UPDATE face_index_head SET seq = $1")
        .bind(s.persons as i64)
        .execute(conn)
        .await
        .unwrap();
    rows
}

/// Enterprise `n`'s registered site, somewhere in Jinan.
pub fn site(n: u64) -> (f64, f64) {
    let m = mix(n ^ 0x51);
    (
        36.55 + (m % 2000) as f64 * 1e-4,
        116.90 + ((m >> 20) % 4000) as f64 * 1e-4,
    )
}

/// Enterprises, their contact phones sealed as the product stores them.
async fn enterprises(
    conn: &mut sqlx::postgres::PgConnection,
    keys: &zhujian::platform::crypto::Keys,
    s: &Sizes,
) -> u64 {
    let mut c = Copy::new(
        conn,
        "enterprises",
        "id, credit_code, name, district_code, contact_name, contact_phone, contact_phone_masked, password_hash, status, \
         created_at, updated_at, registered_address, site_latitude, site_longitude, site_crs, locality, confirmed_at",
    )
    .await;
    for n in 0..s.enterprises {
        let district = district_of(n);
        let phone = format!("139{:08}", mix(n) % 100_000_000);
        let at = moment(n as f64 / s.enterprises as f64 * 0.3);
        let (lat, lon) = site(n);
        c.text(&enterprise_id(n)).text(&credit_code(district, n, 'C'));
        c.text(&crate::history::enterprise_name(n));
        let (sealed, masked) = zhujian::enterprises::seal_phone(keys, &enterprise_id(n).into(), &phone);
        c.text(district).text(&name(n ^ 0xC)).text(&sealed).text(&masked);
        c.text("!")
            .text(if n % 97 == 0 { "disabled" } else { "active" })
            .num(at)
            .num(at);
        c.text(&format!("济南市{district}区经十路{}号", n % 9000))
            .num(lat)
            .num(lon)
            .text("wgs84");
        c.text(if n % 10 == 0 { "non_local" } else { "local" })
            .num(at + 86_400_000);
        c.end().await;
    }
    c.finish().await.0
}

/// The enterprise search's pieces of each name and credit code, cut as the product cuts them.
async fn search_grams(conn: &mut sqlx::postgres::PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(conn, "enterprise_search_grams", "gram, enterprise_id").await;
    for n in 0..s.enterprises {
        let (name, code) = (crate::history::enterprise_name(n), credit_code(district_of(n), n, 'C'));
        for gram in zhujian::enterprises::search_grams(&name, &code) {
            c.text(&gram).text(&enterprise_id(n));
            c.end().await;
        }
    }
    c.finish().await.0
}

async fn qualifications(conn: &mut sqlx::postgres::PgConnection, s: &Sizes) -> u64 {
    let mut c = Copy::new(
        conn,
        "enterprise_qualifications",
        "id, enterprise_id, category, grade, certificate_number, issued_on, created_at",
    )
    .await;
    for n in 0..s.enterprises {
        let grade = ["一级", "二级", "三级"][(n % 3) as usize];
        c.text(&qualification_id(n))
            .text(&enterprise_id(n))
            .text("建筑工程施工总承包")
            .text(grade);
        c.text(&format!("D2370{n:08}"))
            .text("2023-03-01")
            .num(moment(n as f64 / s.enterprises as f64 * 0.3));
        c.end().await;
    }
    c.finish().await.0
}
