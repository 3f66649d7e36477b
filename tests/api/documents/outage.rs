//! A store outage answers 503 and leaves no row.

use crate::both_engines;
use crate::files;
use crate::harness::Engine;

use super::{rows, upload, world, world_with};

both_engines!(store_outage_answers_503_and_leaves_no_row);

async fn store_outage_answers_503_and_leaves_no_row(engine: Engine) {
    let w = match engine {
        Engine::Postgres => world_with(engine, |s| s.objects.s3_endpoint = "http://127.0.0.1:9".into()).await,
        Engine::Sqlite => world(engine).await,
    };
    let app = &w.app;
    if engine == Engine::Sqlite {
        // The objects folder becomes unusable: replaced by a plain file.
        let objects = app.settings.storage.dir.join("objects");
        std::fs::remove_dir_all(&objects).unwrap();
        std::fs::write(&objects, b"not a folder").unwrap();
    }
    let answer = upload(app, &w.a, "material_scan", "a.pdf", files::pdf(5000)).await;
    answer.expect_problem(503, "storage.unavailable");
    assert!(answer.header("retry-after").is_some());
    let photo = upload(app, &w.person, "selfie", "s.jpg", files::jpeg(300, 300)).await;
    photo.expect_problem(503, "storage.unavailable");
    assert_eq!(rows(app).await, 0);
    app.get("/readyz", None).await.expect_problem(503, "service.not_ready");
}
