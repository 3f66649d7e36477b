//! What every process does before it serves or runs an operator command: bring the schema up
//! to date, then seed the reference data the domains need to be usable.

use anyhow::Context;

use crate::platform::db::{self, Db, Engine};

pub async fn prepare(db: &Db, engine: Engine) -> anyhow::Result<()> {
    db::migrate(db, engine).await?;
    let mut conn = db.acquire().await?;
    crate::assessments::templates::seed_defaults(&mut conn)
        .await
        .context("seeding the assessment templates failed")
}
