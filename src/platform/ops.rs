//! Operations endpoints: liveness, readiness and metrics (outside `/api/v1`).

use axum::{extract::State, http::header, response::IntoResponse};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::platform::error::{ApiError, ApiResult, Problem};
use crate::platform::web::Json;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
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
async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    let database = sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&state.db).await;
    if let Err(error) = database {
        tracing::warn!(%error, "readiness: database unreachable");
        return Err(ApiError::unavailable(
            "service.not_ready",
            "数据库不可用",
            "The database is unreachable",
        ));
    }
    if let Err(error) = state.objects.check().await {
        tracing::warn!(%error, "readiness: object store unreachable");
        return Err(ApiError::unavailable(
            "service.not_ready",
            "文件存储不可用",
            "The object store is unreachable",
        ));
    }
    Ok(Json(Health { status: "ready" }))
}

/// Prometheus metrics: requests by route and status, latency histograms, pool usage.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let pool = (
        state.db.size(),
        state.db.num_idle(),
        state.settings.database.max_connections,
    );
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(pool),
    )
}
