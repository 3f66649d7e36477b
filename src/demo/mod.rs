//! `zhujian demo`: fills an empty embedded database with a small, realistic city so that a
//! newcomer can click through the staff console in a minute (issue 17).
//!
//! The demo serves the API to itself on a loopback port and makes everything through it, as
//! the mini-program, the enterprises and the staff would (`client.rs`): every record is the
//! API's own act, checked by its rules and recorded with its audit event, so the database is
//! consistent and `zhujian audit verify` passes on it. Third parties are the development
//! stand-ins the binary ships (`guard::fill_settings`); faces are the HTTP tests' fixture
//! photos, described by the real face engine when people register, accept employment and
//! check in. The clock starts 70 days back so that overdue tasks can lapse, go to
//! rectification and be withdrawn by the close job, then catches up with the real time.

mod accounts;
mod assessments;
mod city;
mod client;
mod employment;
mod guard;
mod photos;
mod report;
mod verification;
mod world;

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::platform::clock::ManualClock;
use crate::platform::config::Settings;
use crate::platform::{db, server};
use crate::AppState;

pub use report::Filled;

pub struct Options {
    /// Remove an earlier demo's database first (only a demo's own).
    pub replace: bool,
    /// Fill a PostgreSQL database (the demo targets the embedded SQLite).
    pub allow_postgres: bool,
}

/// How far back the demo's clock starts.
const DAYS_BACK: i64 = 70;

/// Fills the database the settings name; refuses one that holds anything.
pub async fn fill(settings: &Settings, options: &Options) -> anyhow::Result<Filled> {
    let started = Instant::now();
    let settings = guard::fill_settings(settings)?;
    guard::prepare_storage(&settings, options.replace, options.allow_postgres)?;
    let (pool, engine) = db::connect(&settings).await?;
    crate::startup::prepare(&pool, engine).await?;
    guard::require_empty(&pool, &settings.storage.dir).await?;
    guard::mark(&settings.storage.dir)?;
    let clock = Arc::new(ManualClock::new());
    clock.advance_secs(-DAYS_BACK * 86_400);
    let state = AppState::new(settings.clone(), pool, engine, clock.clone())?;
    state.face_index.load(&state.db, &state.keys).await?;
    crate::notify::outbox::install_templates(&state).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server::serve(
        listener,
        crate::router(state.clone()),
        async move {
            stopped.await.ok();
        },
        Duration::from_secs(1),
        server::Limits::from(&settings.server),
    ));
    let mut world = world::World::new(client::Api::new(base)?, state, clock);
    let told = match tell(&mut world).await {
        Ok(()) => report::filled(&world, started.elapsed()).await,
        Err(e) => Err(e),
    };
    stop.send(()).ok();
    serving.await??;
    told
}

/// The story, in the order the city lived it.
async fn tell(w: &mut world::World) -> anyhow::Result<()> {
    accounts::staff(w).await?;
    accounts::enterprises(w).await?;
    accounts::people(w).await?;
    verification::requirements(w).await?;
    let routine = verification::overdue_first(w).await?;
    w.advance_days(33).await?;
    verification::overdue_second(w, &routine).await?;
    w.advance_days(DAYS_BACK - 33 - 2).await?;
    w.catch_up(30).await?;
    let hired = employment::hire(w).await?;
    verification::current(w, &hired).await?;
    assessments::self_assessments(w).await?;
    assessments::daily_events(w).await?;
    Ok(())
}
