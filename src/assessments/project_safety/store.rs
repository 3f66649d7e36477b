//! Project assessment SQL. Reads filter by scope: a supervisor sees the assessments they
//! fill, district staff those in their district, city staff all, and an enterprise the passed
//! assessments of its own projects.

use serde::Serialize;
use utoipa::ToSchema;

use crate::assessments::rules::State;
use crate::assessments::store::lifecycle::PROJECT_ASSESSMENTS;
use crate::assessments::templates::Template;
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::{is_unique_violation, Conn, Executor, NullableF64};
use crate::platform::ids::{DocumentId, EnterpriseId, ProjectAssessmentId, ProjectId, StaffId, TemplateId};
use crate::projects::ProjectView;

mod listing;
pub use listing::{count, list, Filter, Order, Sort, NEWEST_FIRST};

/// Where project assessments keep the bounds: the supervisor who fills them (their owner),
/// their district, and the project's enterprise, which sees only the passed ones.
const BOUNDS: Columns = Columns {
    enterprise: Some(Key::Condition("p.enterprise_id = {} AND x.state = 'approved'")),
    district: Some(Key::Column("x.district_code")),
    owner: Some(Key::Column("x.supervisor_id")),
    training: None,
    person: None,
};

const SELECT: &str = "SELECT x.id, x.project_id, p.name AS project_name, p.permit_number, p.location, p.enterprise_id, \
    e.name AS enterprise_name, p.project_manager, x.template_id, t.version AS template_version, x.period, x.supervisor_id, \
    s.display_name AS supervisor_name, x.state, x.district_code, x.building_area, x.inspection_details, x.inspecting_unit, \
    x.person_in_charge, x.person_phone, x.supervision_level, x.total_score, x.created_at, x.updated_at \
    FROM project_assessments x JOIN projects p ON p.id = x.project_id JOIN enterprises e ON e.id = p.enterprise_id \
    JOIN assessment_templates t ON t.id = x.template_id JOIN staff s ON s.id = x.supervisor_id \
    WHERE x.state <> 'deleted'";

/// A project assessment as stored, with its project's facts.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ProjectAssessmentRow {
    #[schema(value_type = String)]
    pub id: ProjectAssessmentId,
    #[schema(value_type = String)]
    pub project_id: ProjectId,
    /// 受检项目
    pub project_name: String,
    pub permit_number: String,
    pub location: String,
    #[schema(value_type = String)]
    pub enterprise_id: EnterpriseId,
    pub enterprise_name: String,
    pub project_manager: String,
    #[schema(value_type = String)]
    pub template_id: TemplateId,
    pub template_version: i64,
    pub period: String,
    #[schema(value_type = String)]
    pub supervisor_id: StaffId,
    pub supervisor_name: String,
    /// draft | submitted | approved (passed by the city station) | returned (to the supervisor)
    #[schema(value_type = State)]
    pub state: State,
    /// 行政区: the project's, correctable by the supervisor.
    pub district_code: String,
    /// m², correctable by the supervisor.
    pub building_area: Option<f64>,
    /// 检查详情
    pub inspection_details: String,
    /// 检查单位
    pub inspecting_unit: String,
    /// 负责人
    pub person_in_charge: String,
    /// 负责人联系电话
    pub person_phone: String,
    /// 监管等级
    pub supervision_level: String,
    /// The sum of the item scores, set on submission.
    pub total_score: Option<f64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ProjectAssessmentRow {
    pub fn state(&self) -> State {
        self.state
    }
}

pub async fn get(
    db: impl Executor<'_>,
    id: &ProjectAssessmentId,
    bounds: &Bounds,
) -> Result<Option<ProjectAssessmentRow>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 2);
    within
        .bind(sqlx::query_as(&format!("{SELECT} AND x.id = $1 AND {within}")).bind(id))
        .fetch_optional(db)
        .await
}

/// Starts a draft for a project and period; `None` when one exists already.
pub async fn create(
    conn: &mut Conn,
    project: &ProjectView,
    template: &Template,
    period: &str,
    supervisor: &StaffId,
    now: i64,
) -> Result<Option<ProjectAssessmentId>, sqlx::Error> {
    let id = ProjectAssessmentId::new();
    let inserted = sqlx::query(
        "INSERT INTO project_assessments (id, project_id, template_id, period, supervisor_id, state, district_code, \
         building_area, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(&project.id)
    .bind(&template.id)
    .bind(period)
    .bind(supervisor)
    .bind(&project.district_code)
    .bind(NullableF64(project.building_area))
    .bind(now)
    .execute(&mut *conn)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    for item in &template.items {
        sqlx::query("INSERT INTO project_assessment_scores (assessment_id, number) VALUES ($1, $2)")
            .bind(&id)
            .bind(&item.number)
            .execute(&mut *conn)
            .await?;
    }
    PROJECT_ASSESSMENTS
        .record(&mut *conn, &id, "new", State::Draft, supervisor, None, now)
        .await?;
    Ok(Some(id))
}

/// Opens a supervisor's edit in the caller's transaction: touches the record, which holds it
/// until the commit; `false` unless it is still a draft or returned.
pub async fn claim_edit(db: impl Executor<'_>, id: &ProjectAssessmentId, now: i64) -> Result<bool, sqlx::Error> {
    let touched =
        sqlx::query("UPDATE project_assessments SET updated_at = $1 WHERE id = $2 AND state IN ('draft', 'returned')")
            .bind(now)
            .bind(id)
            .execute(db)
            .await?;
    Ok(touched.rows_affected() == 1)
}

/// The form's fields; `None` leaves a field as it is.
#[derive(Default)]
pub struct Details<'a> {
    pub district_code: Option<&'a str>,
    pub building_area: Option<f64>,
    pub inspection_details: Option<&'a str>,
    pub inspecting_unit: Option<&'a str>,
    pub person_in_charge: Option<&'a str>,
    pub person_phone: Option<&'a str>,
    pub supervision_level: Option<&'a str>,
}

pub async fn save_details(db: impl Executor<'_>, id: &ProjectAssessmentId, d: &Details<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE project_assessments SET district_code = COALESCE($1, district_code), building_area = COALESCE($2, building_area), \
         inspection_details = COALESCE($3, inspection_details), inspecting_unit = COALESCE($4, inspecting_unit), \
         person_in_charge = COALESCE($5, person_in_charge), person_phone = COALESCE($6, person_phone), \
         supervision_level = COALESCE($7, supervision_level) WHERE id = $8",
    )
    .bind(d.district_code)
    .bind(NullableF64(d.building_area))
    .bind(d.inspection_details)
    .bind(d.inspecting_unit)
    .bind(d.person_in_charge)
    .bind(d.person_phone)
    .bind(d.supervision_level)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn save_score(
    db: impl Executor<'_>,
    id: &ProjectAssessmentId,
    number: &str,
    score: Option<f64>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE project_assessment_scores SET score = $1 WHERE assessment_id = $2 AND number = $3")
        .bind(NullableF64(score))
        .bind(id)
        .bind(number)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn scores(
    db: impl Executor<'_>,
    id: &ProjectAssessmentId,
) -> Result<Vec<(String, Option<f64>)>, sqlx::Error> {
    sqlx::query_as("SELECT number, score FROM project_assessment_scores WHERE assessment_id = $1")
        .bind(id)
        .fetch_all(db)
        .await
}

/// A document of the assessment: the signed form or other evidence.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FormDocument {
    #[schema(value_type = String)]
    pub document_id: DocumentId,
    /// signed_form | evidence
    pub role: String,
    pub file_name: String,
    pub added_at: i64,
}

pub async fn documents(db: impl Executor<'_>, id: &ProjectAssessmentId) -> Result<Vec<FormDocument>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.document_id, l.role, d.file_name, l.added_at FROM project_assessment_documents l \
         JOIN documents d ON d.id = l.document_id WHERE l.assessment_id = $1 ORDER BY l.added_at, l.document_id",
    )
    .bind(id)
    .fetch_all(db)
    .await
}

pub async fn link_document(
    conn: &mut Conn,
    id: &ProjectAssessmentId,
    document: &DocumentId,
    role: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_assessment_documents (assessment_id, document_id, role, added_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(document)
    .bind(role)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE documents SET attached_kind = 'project_assessment', attached_id = $1 WHERE id = $2")
        .bind(id)
        .bind(document)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// What became of a request to drop a document from the form.
#[derive(Debug, PartialEq, Eq)]
pub enum Unlinked {
    Done,
    /// It was submitted once and stays with the form.
    Submitted,
    NotLinked,
}

/// Unlinks a document never submitted; it becomes the supervisor's own again (deletable).
pub async fn unlink_document(
    conn: &mut Conn,
    id: &ProjectAssessmentId,
    document: &DocumentId,
) -> Result<Unlinked, sqlx::Error> {
    let removed = sqlx::query(
        "DELETE FROM project_assessment_documents WHERE assessment_id = $1 AND document_id = $2 \
         AND document_id IN (SELECT d.id FROM documents d WHERE d.state = 'available')",
    )
    .bind(id)
    .bind(document)
    .execute(&mut *conn)
    .await?;
    if removed.rows_affected() == 1 {
        release(conn, std::slice::from_ref(document)).await?;
        return Ok(Unlinked::Done);
    }
    let linked: Option<String> = sqlx::query_scalar(
        "SELECT document_id FROM project_assessment_documents WHERE assessment_id = $1 AND document_id = $2",
    )
    .bind(id)
    .bind(document)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(if linked.is_some() {
        Unlinked::Submitted
    } else {
        Unlinked::NotLinked
    })
}

/// Detaches documents from the form (never submitted ones only).
async fn release(conn: &mut Conn, documents: &[DocumentId]) -> Result<(), sqlx::Error> {
    for document in documents {
        sqlx::query(
            "UPDATE documents SET attached_kind = NULL, attached_id = NULL WHERE id = $1 AND state = 'available'",
        )
        .bind(document)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deletes a draft or returned form (kept, no longer listed); documents never submitted are
/// released and become deletable again.
pub async fn delete(conn: &mut Conn, row: &ProjectAssessmentRow, by: &str, now: i64) -> Result<bool, sqlx::Error> {
    if !PROJECT_ASSESSMENTS
        .advance(&mut *conn, &row.id, row.state, State::Deleted, by, None, now)
        .await?
    {
        return Ok(false);
    }
    let unsubmitted: Vec<DocumentId> = sqlx::query_scalar(
        "SELECT l.document_id FROM project_assessment_documents l JOIN documents d ON d.id = l.document_id \
         WHERE l.assessment_id = $1 AND d.state = 'available'",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    for document in &unsubmitted {
        sqlx::query("DELETE FROM project_assessment_documents WHERE assessment_id = $1 AND document_id = $2")
            .bind(&row.id)
            .bind(document)
            .execute(&mut *conn)
            .await?;
    }
    release(conn, &unsubmitted).await?;
    Ok(true)
}

/// Submits to the city station, after `claim_edit` in the same transaction: records the total,
/// keeps the form as submitted, and locks the documents.
pub async fn submit(
    conn: &mut Conn,
    row: &ProjectAssessmentRow,
    total: f64,
    form: &serde_json::Value,
    by: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    if !PROJECT_ASSESSMENTS
        .advance(&mut *conn, &row.id, row.state, State::Submitted, by, None, now)
        .await?
    {
        return Ok(false);
    }
    sqlx::query("UPDATE project_assessments SET total_score = $1 WHERE id = $2")
        .bind(total)
        .bind(&row.id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO project_assessment_submissions (assessment_id, submission, submitted_by, submitted_at, total_score, form) \
         SELECT $1, COALESCE(MAX(submission), 0) + 1, $2, $3, $4, $5 FROM project_assessment_submissions WHERE assessment_id = $1",
    )
    .bind(&row.id)
    .bind(by)
    .bind(now)
    .bind(total)
    .bind(form.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE documents SET state = 'locked' WHERE id IN (SELECT document_id FROM project_assessment_documents WHERE assessment_id = $1)",
    )
    .bind(&row.id)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// One submission as the city station received it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Submission {
    pub submission: i64,
    pub submitted_by: String,
    pub submitted_at: i64,
    pub total_score: f64,
    /// The form as submitted (the shape of the project assessment view).
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
}

pub async fn submissions(db: impl Executor<'_>, id: &ProjectAssessmentId) -> Result<Vec<Submission>, sqlx::Error> {
    let rows: Vec<(i64, String, i64, f64, String)> = sqlx::query_as(
        "SELECT submission, submitted_by, submitted_at, total_score, form FROM project_assessment_submissions \
         WHERE assessment_id = $1 ORDER BY submission",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(submission, submitted_by, submitted_at, total_score, form)| Submission {
                submission,
                submitted_by,
                submitted_at,
                total_score,
                form: serde_json::from_str(&form).unwrap_or_default(),
            },
        )
        .collect())
}

/// The project assessments within `bounds` submitted for the city station's review, oldest
/// first, for the staff inbox (`notify::awaiting`): each names its project and period.
pub async fn awaiting_review(
    conn: &mut Conn,
    bounds: &Bounds,
) -> Result<Vec<crate::notify::awaiting::Row>, sqlx::Error> {
    let within = bounds.condition(&BOUNDS, 1);
    let sql = crate::notify::awaiting::queue(
        "x.id AS target_id, e.id AS enterprise_id, e.name AS enterprise_name, \
         p.name || '（' || x.period || '）' AS subject, x.updated_at AS since",
        &format!(
            "FROM project_assessments x JOIN projects p ON p.id = x.project_id JOIN enterprises e ON e.id = p.enterprise_id \
             WHERE x.state = 'submitted' AND {within}"
        ),
        "x.updated_at, x.id",
    );
    within.bind(sqlx::query_as(&sql)).fetch_all(&mut *conn).await
}
