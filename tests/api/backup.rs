//! The backup drill (issue 19): a backup taken while uploads go on, restored into a new store
//! and served again: the audit chain verifies against the checkpoints that came with it, and
//! every document acknowledged before the backup started reads back byte for byte. On SQLite
//! with local files, and on PostgreSQL (pg_dump, pg_restore) with Garage.

use std::sync::atomic::{AtomicBool, Ordering};

use sha2::{Digest, Sha256};
use zhujian::platform::clock::Clock;

use crate::both_engines;
use crate::harness::{fresh_postgres_database, Engine, TestApp};

both_engines!(a_backup_under_write_load_restores_every_acknowledged_document_and_the_audit_chain);

const ENTERPRISE: &str = "91350100M000100Y43";

struct Uploaded {
    id: String,
    sha256: String,
}

async fn upload(app: &TestApp, token: &str, n: usize) -> Uploaded {
    let bytes = crate::files::pdf(3000 + n * 97);
    let answer = app
        .upload(token, "business_licence", &format!("证照{n}.pdf"), bytes.clone())
        .await;
    answer.expect(201);
    Uploaded {
        id: answer.body["id"].as_str().unwrap().to_owned(),
        sha256: hex::encode(Sha256::digest(&bytes)),
    }
}

/// An enterprise's password and token: the documents' owner.
async fn enterprise(app: &TestApp) -> (String, String) {
    let lixia = app.staff_token("lixia", "district", Some("370102")).await;
    let (_, password) = app
        .enterprise_account(&lixia, ENTERPRISE, "370102", "13912345678")
        .await;
    let token = app.enterprise_token(ENTERPRISE, &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (password, token)
}

async fn download_sha256(app: &TestApp, token: &str, id: &str) -> String {
    let link = app.get(&format!("/api/v1/documents/{id}/link"), Some(token)).await;
    link.expect(200);
    let response = app.client.get(link.body["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 200, "document {id} reads back");
    hex::encode(Sha256::digest(response.bytes().await.unwrap()))
}

async fn a_backup_under_write_load_restores_every_acknowledged_document_and_the_audit_chain(engine: Engine) {
    let app = TestApp::start(engine).await;
    let (password, token) = enterprise(&app).await;
    let mut before = Vec::new();
    for n in 0..6 {
        before.push(upload(&app, &token, n).await);
    }
    let now = app.clock.now_ms();
    zhujian::audit::checkpoint::take(&app.state.db, app.anchor(), &app.state.audit_keys, now)
        .await
        .unwrap()
        .expect("a checkpoint of the chain so far");

    // Uploads go on while the backup runs; those acknowledged before it began must be in it.
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("backup");
    let stop = AtomicBool::new(false);
    let load = async {
        let mut n = 100;
        while !stop.load(Ordering::Relaxed) {
            upload(&app, &token, n).await;
            n += 1;
        }
        n - 100
    };
    let backup = async {
        let manifest = zhujian::backup::backup(&app.settings, &app.state.db, app.state.engine, &target).await;
        stop.store(true, Ordering::Relaxed);
        manifest
    };
    let (manifest, during) = tokio::join!(backup, load);
    let manifest = manifest.expect("the backup");
    assert!(during > 0, "uploads ran during the backup");
    let documents = manifest
        .objects
        .iter()
        .filter(|o| o.key.starts_with("documents/"))
        .count();
    assert!(
        documents >= before.len(),
        "{documents} objects copied: {:?}",
        manifest.objects
    );
    assert!(
        manifest
            .objects
            .iter()
            .any(|o| o.key.starts_with(&app.settings.audit.checkpoint_prefix)),
        "the checkpoint came along"
    );
    assert!(
        zhujian::backup::backup(&app.settings, &app.state.db, app.state.engine, &target)
            .await
            .is_err(),
        "a backup never writes over another"
    );

    // Restored into a new store and served again. On S3 the store is the shared test bucket:
    // the original objects go first, so that only the restore can bring them back.
    if engine == Engine::Postgres {
        for object in manifest.objects.iter().filter(|o| o.key.starts_with("documents/")) {
            app.state.objects.delete(&object.key).await.unwrap();
        }
    }
    let fresh = folder.path().join("restored");
    let mut settings = app.settings.clone();
    settings.storage.dir = fresh.clone();
    settings.database.url = match engine {
        Engine::Sqlite => String::new(),
        Engine::Postgres => fresh_postgres_database().await,
    };
    let restored = zhujian::backup::restore(&settings, &target).await.expect("the restore");
    assert_eq!(restored.objects, manifest.objects.len());
    assert!(
        zhujian::backup::restore(&settings, &target).await.is_err(),
        "a restore never writes over a database"
    );
    let prefix = app.settings.audit.checkpoint_prefix.clone();
    let database = match engine {
        Engine::Sqlite => format!("sqlite://{}?mode=rwc", fresh.join("zhujian.db").display()),
        Engine::Postgres => settings.database.url.clone(),
    };
    let again = TestApp::start_with(engine, |s| {
        s.storage.dir = fresh.clone();
        s.database.url = database;
        s.audit.checkpoint_prefix = prefix;
    })
    .await;
    let report = again.verify_audit().await;
    assert!(
        matches!(report, zhujian::audit::VerifyReport::Intact { events } if events > 0),
        "{report:?}"
    );
    let token = again.enterprise_token(ENTERPRISE, &password).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    for document in &before {
        assert_eq!(download_sha256(&again, &token, &document.id).await, document.sha256);
    }
}

#[tokio::test]
async fn a_damaged_backup_is_refused_before_anything_is_written() {
    let app = TestApp::start(Engine::Sqlite).await;
    let (_, token) = enterprise(&app).await;
    upload(&app, &token, 1).await;
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("backup");
    let manifest = zhujian::backup::backup(&app.settings, &app.state.db, app.state.engine, &target)
        .await
        .unwrap();
    let document = manifest
        .objects
        .iter()
        .find(|o| o.key.starts_with("documents/"))
        .unwrap();
    let copy = target.join("objects").join(&document.key);
    let mut bytes = std::fs::read(&copy).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&copy, bytes).unwrap();

    let fresh = folder.path().join("restored");
    let mut settings = app.settings.clone();
    settings.storage.dir = fresh.clone();
    settings.database.url = String::new();
    let refused = zhujian::backup::restore(&settings, &target).await.unwrap_err();
    assert!(refused.to_string().contains(&document.key), "{refused}");
    assert!(!fresh.join("zhujian.db").exists(), "nothing was restored");
}
