//! Applications over HTTP: a person applies for the services of their certificates; an
//! enterprise applies to reissue its certificates under its new name; the enterprise at an
//! `enterprise` step confirms; staff at a `district` or `city` step accept, approve or refuse;
//! everyone follows their applications (我的办件); anyone reads the published cancellations.

mod act;
mod apply;
mod enterprise;
mod public;

pub use act::{confirm, count, list, read, review, ApplicationFilter, ApplicationReviewBody, ConfirmBody};

use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use super::facts::Applicant;
use super::flow::{self, By, Submission};
use super::kinds::{ApplicationKind, Step};
use super::rules::{self, Bar, Confirmation, Facts, Limits};
use super::store;
use super::view::{ApplicationWithHistory, Detail};
use crate::auth::{Caller, Role};
use crate::certificates::changes::Snapshot;
use crate::documents::rules::Purpose;
use crate::openapi::register::routes;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult, Lang, Message};
use crate::platform::ids::{CertificateId, DocumentId, PersonId};
use crate::platform::types::Date;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(apply::certificate_services))
        .routes(routes!(apply::apply_employer_change))
        .routes(routes!(apply::apply_cancellation))
        .routes(routes!(apply::apply_renewal))
        .routes(routes!(apply::apply_correction))
        .routes(routes!(apply::apply_supplement))
        .routes(routes!(enterprise::name_change_check, enterprise::apply_name_change))
        .routes(routes!(act::list_applications))
        .routes(routes!(act::get_application))
        .routes(routes!(act::confirm_application))
        .routes(routes!(act::review_application))
        .routes(routes!(act::withdraw_application))
        .routes(routes!(public::published_cancellations))
}

/// A failed condition as shown.
#[derive(Serialize, ToSchema)]
pub struct ServiceBar {
    /// e.g. `application.in_progress`
    pub code: String,
    pub message: String,
}

fn shown(bar: Bar, lang: Lang) -> ServiceBar {
    let (zh, en) = bar.message();
    ServiceBar {
        code: bar.code().to_owned(),
        message: if lang == Lang::En { en } else { zh },
    }
}

/// The person's own caller, or 403.
fn own_person(caller: &Caller) -> ApiResult<&PersonId> {
    caller.require(&[Role::Person])?;
    caller.person_id().ok_or_else(ApiError::forbidden_role)
}

fn limits(state: &AppState) -> Limits {
    let settings = &state.settings.applications;
    Limits {
        employer_change_interval_months: settings.employer_change_interval_months,
        renewal_window_days: settings.renewal_window_days,
        renewal_education_hours: settings.renewal_education_hours,
    }
}

fn today(state: &AppState) -> Date {
    Date::today_in_china(state.clock.now_ms())
}

/// An applicant, the certificate applied on, and the facts of the service.
struct Prepared {
    kind: ApplicationKind,
    applicant: Applicant,
    certificate: Option<Snapshot>,
    facts: Facts,
}

async fn prepare(
    conn: &mut Conn,
    state: &AppState,
    person: &PersonId,
    certificate: Option<&CertificateId>,
    kind: ApplicationKind,
) -> ApiResult<Prepared> {
    let applicant = Applicant::load(conn, person).await?;
    let certificate = match certificate {
        Some(id) => Some(applicant.certificate(conn, id).await?),
        None => None,
    };
    let facts = applicant.facts(conn, state, kind, certificate.as_ref()).await?;
    Ok(Prepared {
        kind,
        applicant,
        certificate,
        facts,
    })
}

/// Commits the act that created an application: 201 with it.
async fn created(
    act: crate::audit::Act,
    tx: crate::platform::db::Tx<'static>,
    row: ApplicationWithHistory,
) -> ApiResult<(
    axum::http::StatusCode,
    crate::platform::web::Json<ApplicationWithHistory>,
)> {
    act.commit(tx, format!("application:{}", row.application.id)).await?;
    Ok((axum::http::StatusCode::CREATED, crate::platform::web::Json(row)))
}

fn scan_required(field: &str) -> ApiError {
    ApiError::validation(vec![]).with_field(
        field,
        "application.scan_required",
        Message::new(
            "请上传 PDF 扫描件（用途 application_scan）",
            "Upload the PDF scan first (purpose application_scan)",
        ),
    )
}

/// The caller's own completed scan of purpose `application_scan`, not used by another record.
async fn checked_scan(conn: &mut Conn, caller: &Caller, id: &DocumentId, field: &str) -> ApiResult<DocumentId> {
    let doc = crate::documents::visible(&mut *conn, id, &caller.bounds()).await?;
    let usable = doc.is_some_and(|d| d.attachable_to(Purpose::ApplicationScan, ""));
    if usable {
        Ok(id.clone())
    } else {
        Err(scan_required(field))
    }
}

/// Checks every condition of the prepared service and creates the application on the
/// configured chain: at the desk, without the enterprise's step.
async fn submit_for(
    conn: &mut Conn,
    state: &AppState,
    caller: &Caller,
    prepared: Prepared,
    confirmation: Confirmation,
    detail: Detail,
    document: Option<&DocumentId>,
) -> ApiResult<ApplicationWithHistory> {
    let Prepared {
        kind,
        applicant,
        certificate,
        facts,
    } = prepared;
    let bars = rules::bars(kind, &facts, confirmation, limits(state), today(state));
    let employer = match (bars.is_empty(), &applicant.employer) {
        (true, Some(employer)) => employer,
        _ => return Err(flow::barred(&bars, "conditions")),
    };
    let mut steps = state.approval_chains[&kind].clone();
    if confirmation == Confirmation::AtTheDesk {
        steps.retain(|s| *s != Step::Enterprise);
    }
    let confirming = match (steps[0], kind, &certificate) {
        (Step::Enterprise, ApplicationKind::EmployerChange, Some(c)) => {
            crate::enterprises::by_credit_code(&mut *conn, &c.enterprise_credit_code)
                .await?
                .map(|e| e.id)
        }
        (Step::Enterprise, ..) => Some(employer.id.clone()),
        _ => None,
    };
    let submission = Submission {
        kind,
        applicant: applicant.key(),
        person_id: Some(&applicant.person_id),
        certificate_id: certificate.as_ref().map(|c| &c.id),
        confirming_enterprise_id: confirming.as_ref(),
        enterprise_id: &employer.id,
        district_code: &employer.district_code,
        steps,
        detail,
        document_id: document,
    };
    let by = By {
        kind: "person",
        id: &caller.account_id,
    };
    let row = flow::submit(conn, state, submission, &by, state.clock.now_ms()).await?;
    let events = store::events(&mut *conn, &row.id).await?;
    Ok(row.with_history(&state.keys, events))
}
