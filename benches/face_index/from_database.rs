//! Start-up from the database: a SQLite database seeded with N registered people (sealed
//! faces, as registration stores them, and their face_index rows), then timed: the server's
//! `SharedIndex::load` (one streamed query, each face opened and quantized).

use std::time::Instant;

use zhujian::people::one_face::SharedIndex;
use zhujian::platform::crypto::Keys;

use super::{Rng, Shape};

/// Rows per INSERT statement while seeding.
const ROWS: usize = 200;

pub async fn load(n: usize, shape: &Shape) {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = zhujian::platform::config::Settings::default();
    settings.storage.dir = dir.path().to_path_buf();
    settings.database.url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    let (db, engine) = zhujian::platform::db::connect(&settings).await.unwrap();
    zhujian::platform::db::migrate(&db, engine).await.unwrap();
    let keys = Keys::new(vec![1; 32], [7; 32]);
    let started = Instant::now();
    seed(&db, &keys, n, shape).await;
    println!(
        "{n:>9} faces: seeded into SQLite in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let index = SharedIndex::default();
    let started = Instant::now();
    index.load(&db, &keys).await.unwrap();
    let (faces, bytes) = index.size();
    assert_eq!(faces, n);
    println!(
        "{n:>9} faces: start-up load from the database {:.2} s ({:.0} MB index)",
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
}

async fn seed(db: &zhujian::platform::db::Db, keys: &Keys, n: usize, shape: &Shape) {
    let mut rng = Rng(7);
    for doc in ["bench-portrait", "bench-selfie"] {
        sqlx::query(
            "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, \
             uploaded_by, created_at, state) VALUES ($1, 'person', 'bench', 'selfie', 'image/jpeg', 0, '', $2, 'x', 'bench', 0, 'locked')",
        )
        .bind(doc)
        .bind(format!("bench/{doc}"))
        .execute(db)
        .await
        .unwrap();
    }
    let mut tx = db.begin().await.unwrap();
    for chunk_start in (0..n).step_by(ROWS) {
        let rows: Vec<(String, String)> = (chunk_start..(chunk_start + ROWS).min(n))
            .map(|_| {
                let person = uuid::Uuid::now_v7().to_string();
                let context = zhujian::people::store::context(&person.as_str().into(), "face");
                let sealed = keys.seal(&context, &zhujian::face::descriptor_bytes(&shape.draw(&mut rng)));
                (person, sealed)
            })
            .collect();
        let people: Vec<String> = rows
            .iter()
            .map(|(p, _)| format!("('{p}', 'openid-{p}', 'registered', 0, 0, 0)"))
            .collect();
        sqlx::query(&format!(
            "INSERT INTO people (id, openid, status, created_at, updated_at, last_login_at) VALUES {}",
            people.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        let identities: Vec<String> = rows
            .iter()
            .map(|(p, sealed)| {
                format!(
                    "('{p}', 'hash-{p}', 'x', '110105********0000', 'x', 'x', '139****0000', 'bench-portrait', \
                     'bench-selfie', '{sealed}', 0, 0)"
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO person_identities (person_id, id_number_hash, id_number_sealed, id_number_masked, name_sealed, \
             phone_sealed, phone_masked, portrait_document_id, selfie_document_id, face_sealed, registered_at, updated_at) VALUES {}",
            identities.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
        let marks: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, (p, _))| format!("('{p}', {})", chunk_start + i + 1))
            .collect();
        sqlx::query(&format!(
            "INSERT INTO face_index (person_id, seq) VALUES {}",
            marks.join(", ")
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE face_index_head SET seq = $1")
        .bind(n as i64)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}
