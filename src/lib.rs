//! zhujian (住建): the backend of a WeChat mini-program and web consoles for
//! construction-industry regulation. This file builds the HTTP application from `AppState`;
//! ARCHITECTURE.md tells where everything else lives.

// `ApiError` carries both languages and field errors; it is built only on the error path,
// where its size costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod applications;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod certificates;
pub mod challenges;
pub mod console;
pub mod demo;
pub mod documents;
pub mod employment;
pub mod enterprises;
pub mod exams;
pub mod face;
pub mod liveness;
pub mod notify;
pub mod openapi;
pub mod people;
pub mod photos;
pub mod platform;
pub mod projects;
pub mod staff;
pub mod startup;
pub mod state;
pub mod training;
pub mod verification;

use axum::{
    extract::DefaultBodyLimit,
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{from_fn, from_fn_with_state},
    response::{IntoResponse, Response},
    Router,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, Any, CorsLayer},
};
use utoipa_swagger_ui::SwaggerUi;

use platform::{error, observe, web};
pub use state::AppState;

/// A boxed future, for the outbound-service traits that are used as trait objects.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// The whole application: every API route, the docs, the staff console, and the middleware.
pub fn router(state: AppState) -> Router {
    let (api, document) = openapi::routes();
    let routes = api
        .merge(SwaggerUi::new("/docs").url("/openapi.json", document))
        .merge(console::router(state.clone()));
    with_middleware(routes, state)
}

/// Wraps routes in the middleware every response passes through. From the outside in:
/// request id and access log; compression; CORS; problem documents for every error; audit;
/// request timeout; panic catching; body size limit.
pub fn with_middleware(routes: Router<AppState>, state: AppState) -> Router {
    let server = &state.settings.server;
    routes
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(DefaultBodyLimit::max(server.body_limit_bytes))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(from_fn_with_state(state.settings.clone(), web::request_timeout))
        .layer(from_fn_with_state(state.clone(), audit::record_changes))
        .layer(from_fn(error::render_problems))
        .layer(cors(&server.cors_origins))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.metrics.clone(), observe::track_requests))
        .with_state(state)
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

fn cors(origins: &[String]) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT_LANGUAGE])
        .expose_headers([
            header::HeaderName::from_static(observe::REQUEST_ID_HEADER),
            header::RETRY_AFTER,
        ]);
    if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
        layer.allow_origin(AllowOrigin::list(list))
    }
}
