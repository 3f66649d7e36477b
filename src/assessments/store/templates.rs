//! Template SQL: versions with their items. A version is written once and never changed.

use crate::assessments::rules::{ItemKind, TemplateKind};
use crate::assessments::templates::{Template, TemplateItem};
use crate::platform::db::{is_unique_violation, Conn, Executor, NullableF64};
use crate::platform::ids::TemplateId;

// Template and item kinds decode strictly.
crate::text_column!(TemplateKind, ItemKind);

#[derive(sqlx::FromRow)]
struct ItemRow {
    number: String,
    kind: ItemKind,
    title: String,
    standard: String,
    max_score: Option<f64>,
    evidence_required: i64,
    slots: String,
    reconstructed: i64,
}

impl From<ItemRow> for TemplateItem {
    fn from(r: ItemRow) -> Self {
        TemplateItem {
            number: r.number,
            kind: r.kind,
            title: r.title,
            standard: r.standard,
            max_score: r.max_score,
            evidence_required: r.evidence_required == 1,
            slots: serde_json::from_str(&r.slots).unwrap_or_default(),
            reconstructed: r.reconstructed == 1,
        }
    }
}

#[derive(sqlx::FromRow)]
struct TemplateRow {
    id: TemplateId,
    kind: TemplateKind,
    version: i64,
    name: String,
    change_note: String,
    created_by: Option<String>,
    created_at: i64,
}

impl From<TemplateRow> for Template {
    fn from(r: TemplateRow) -> Self {
        Template {
            id: r.id,
            kind: r.kind,
            version: r.version,
            name: r.name,
            change_note: r.change_note,
            created_by: r.created_by,
            created_at: r.created_at,
            items: Vec::new(),
        }
    }
}

const COLUMNS: &str = "id, kind, version, name, change_note, created_by, created_at";

async fn with_items(conn: &mut Conn, row: Option<TemplateRow>) -> Result<Option<Template>, sqlx::Error> {
    let Some(mut template) = row.map(Template::from) else {
        return Ok(None);
    };
    let rows: Vec<ItemRow> = sqlx::query_as(
        "SELECT number, kind, title, standard, max_score, evidence_required, slots, reconstructed \
         FROM assessment_template_items WHERE template_id = $1 ORDER BY position",
    )
    .bind(&template.id)
    .fetch_all(conn)
    .await?;
    template.items = rows.into_iter().map(TemplateItem::from).collect();
    Ok(Some(template))
}

/// A template version by id, with its items.
pub async fn by_id(conn: &mut Conn, id: &TemplateId) -> Result<Option<Template>, sqlx::Error> {
    let found = sqlx::query_as(&format!("SELECT {COLUMNS} FROM assessment_templates WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    with_items(conn, found).await
}

/// The newest version of a kind, with its items.
pub async fn current(conn: &mut Conn, kind: TemplateKind) -> Result<Option<Template>, sqlx::Error> {
    let found = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assessment_templates WHERE kind = $1 ORDER BY version DESC LIMIT 1"
    ))
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    with_items(conn, found).await
}

/// One version of a kind, with its items.
pub async fn by_version(conn: &mut Conn, kind: TemplateKind, version: i64) -> Result<Option<Template>, sqlx::Error> {
    let found = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assessment_templates WHERE kind = $1 AND version = $2"
    ))
    .bind(kind.as_str())
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    with_items(conn, found).await
}

/// Every version of a kind, newest first, without items.
pub async fn versions(db: impl Executor<'_>, kind: TemplateKind) -> Result<Vec<Template>, sqlx::Error> {
    let versions: Vec<TemplateRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM assessment_templates WHERE kind = $1 ORDER BY version DESC"
    ))
    .bind(kind.as_str())
    .fetch_all(db)
    .await?;
    Ok(versions.into_iter().map(Template::from).collect())
}

/// Whether a kind has any version yet.
pub async fn has_version(db: impl Executor<'_>, kind: TemplateKind) -> Result<bool, sqlx::Error> {
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM assessment_templates WHERE kind = $1 LIMIT 1")
        .bind(kind.as_str())
        .fetch_optional(db)
        .await?;
    Ok(exists.is_some())
}

/// A version to publish.
pub struct NewVersion<'a> {
    pub kind: TemplateKind,
    pub name: &'a str,
    pub change_note: &'a str,
    pub items: &'a [TemplateItem],
    pub created_by: Option<&'a str>,
}

/// Inserts the next version with its items; `None` when the version number was taken meanwhile.
pub async fn insert(conn: &mut Conn, new: &NewVersion<'_>, now: i64) -> Result<Option<TemplateId>, sqlx::Error> {
    let version: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM assessment_templates WHERE kind = $1")
            .bind(new.kind.as_str())
            .fetch_one(&mut *conn)
            .await?;
    let id = TemplateId::new();
    let inserted = sqlx::query(
        "INSERT INTO assessment_templates (id, kind, version, name, change_note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(new.kind.as_str())
    .bind(version)
    .bind(new.name)
    .bind(new.change_note)
    .bind(new.created_by)
    .bind(now)
    .execute(&mut *conn)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    for (position, item) in new.items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO assessment_template_items (template_id, number, position, kind, title, standard, max_score, \
             evidence_required, slots, reconstructed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(&item.number)
        .bind(position as i64)
        .bind(item.kind.as_str())
        .bind(&item.title)
        .bind(&item.standard)
        .bind(NullableF64(item.max_score))
        .bind(i64::from(item.evidence_required))
        .bind(serde_json::to_string(&item.slots).unwrap_or_else(|_| "[]".into()))
        .bind(i64::from(item.reconstructed))
        .execute(&mut *conn)
        .await?;
    }
    Ok(Some(id))
}
