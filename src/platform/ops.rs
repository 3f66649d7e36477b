//! Operations endpoints: liveness, readiness and metrics (outside `/api/v1`).

use std::sync::Arc;

use crate::openapi::register::routes;
use axum::{
    extract::{FromRef, State},
    http::header,
    response::IntoResponse,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::platform::db::Db;
use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::objects::ObjectStore;
use crate::platform::observe::{Metrics, ReadGauges};
use crate::platform::web::Json;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Db: FromRef<S>,
    Arc<ObjectStore>: FromRef<S>,
    Arc<Metrics>: FromRef<S>,
    Arc<dyn ReadGauges>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process can serve: the database and the object store answer.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, body = Health), (status = 503, body = Problem)))]
async fn readyz(State(db): State<Db>, State(objects): State<Arc<ObjectStore>>) -> ApiResult<Json<Health>> {
    let database = crate::platform::db::ping(&db).await;
    if let Err(error) = database {
        tracing::warn!(%error, "readiness: database unreachable");
        return Err(ApiError::unavailable(
            "service.not_ready",
            "数据库不可用",
            "The database is unreachable",
        ));
    }
    if let Err(error) = objects.check().await {
        tracing::warn!(%error, "readiness: object store unreachable");
        return Err(ApiError::unavailable(
            "service.not_ready",
            "文件存储不可用",
            "The object store is unreachable",
        ));
    }
    Ok(Json(Health { status: "ready" }))
}

/// Prometheus metrics: requests by route and status, latency histograms, background jobs'
/// passes, the face engine's load, the outbox's backlog, pool usage.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics(State(metrics): State<Arc<Metrics>>, State(reader): State<Arc<dyn ReadGauges>>) -> impl IntoResponse {
    let gauges = reader.gauges().await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        metrics.render(&gauges),
    )
}
