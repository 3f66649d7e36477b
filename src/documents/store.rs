//! Documents SQL. Every read is confined to the caller's `Bounds`, over the columns `BOUNDS`
//! names, and face photos further to the caller's `FaceReach`.

use serde::Serialize;
use utoipa::ToSchema;

use super::rules::{DocState, FaceReach, Purpose};
use crate::auth::bounds::{Bind, Condition};
use crate::auth::{Bounds, Columns, Key};
use crate::platform::db::Executor;
use crate::platform::ids::DocumentId;

// Documents decode their state and purpose strictly.
crate::text_column!(DocState, Purpose);

/// A document as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: DocumentId,
    pub owner_kind: String,
    pub owner_id: String,
    pub purpose: Purpose,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub object_key: String,
    pub file_name: String,
    pub uploaded_by: String,
    pub created_at: i64,
    pub state: DocState,
    pub expected_size: Option<i64>,
    pub expected_sha256: Option<String>,
    pub attached_kind: Option<String>,
    pub attached_id: Option<String>,
}

impl DocumentRow {
    pub fn state(&self) -> DocState {
        self.state
    }

    pub fn purpose(&self) -> Option<Purpose> {
        Some(self.purpose)
    }

    /// Whether the document can be attached to `record`: a completed upload of `purpose`, free
    /// or already that record's.
    pub fn attachable_to(&self, purpose: Purpose, record: &str) -> bool {
        let free = self.attached_id.is_none() || self.attached_id.as_deref() == Some(record);
        self.purpose() == Some(purpose) && self.state() != DocState::Pending && free
    }
}

/// A document as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    #[schema(value_type = String)]
    pub id: DocumentId,
    #[schema(value_type = super::rules::OwnerKind)]
    pub owner_kind: String,
    pub owner_id: String,
    pub purpose: Purpose,
    /// Detected from the content, e.g. `application/pdf`.
    pub content_type: String,
    pub size: i64,
    /// Hex SHA-256 of the stored bytes.
    pub sha256: String,
    pub file_name: String,
    pub state: DocState,
    /// Unix milliseconds.
    pub created_at: i64,
    pub attached_kind: Option<String>,
    pub attached_id: Option<String>,
}

impl From<DocumentRow> for DocumentView {
    fn from(r: DocumentRow) -> Self {
        DocumentView {
            purpose: r.purpose().unwrap_or(Purpose::MaterialScan),
            state: r.state(),
            id: r.id,
            owner_kind: r.owner_kind,
            owner_id: r.owner_id,
            content_type: r.content_type,
            size: r.size,
            sha256: r.sha256,
            file_name: r.file_name,
            created_at: r.created_at,
            attached_kind: r.attached_kind,
            attached_id: r.attached_id,
        }
    }
}

const COLUMNS: &str = "d.id, d.owner_kind, d.owner_id, d.purpose, d.content_type, d.size, d.sha256, d.object_key, \
    d.file_name, d.uploaded_by, d.created_at, d.state, d.expected_size, d.expected_sha256, d.attached_kind, d.attached_id";

/// Where documents keep the bounds, over `documents d` joined with the owning enterprise `e`:
/// people, enterprises and supervisors (`staff`) own theirs; district staff reach those of
/// enterprises in their district, the signed forms of project assessments in it, and the scans
/// of applications at its desk.
const BOUNDS: Columns = Columns {
    person: Some(Key::Condition("d.owner_kind = 'person' AND d.owner_id = {}")),
    enterprise: Some(Key::Condition("d.owner_kind = 'enterprise' AND d.owner_id = {}")),
    district: Some(Key::Condition(
        "e.district_code = {} OR (d.attached_kind = 'project_assessment' AND d.attached_id IN \
         (SELECT x.id FROM project_assessments x WHERE x.district_code = {})) \
         OR (d.attached_kind = 'application' AND d.attached_id IN \
         (SELECT x.id FROM applications x WHERE x.district_code = {}))",
    )),
    owner: Some(Key::Condition("d.owner_kind = 'staff' AND d.owner_id = {}")),
    training: None,
};

const FROM: &str = "documents d LEFT JOIN enterprises e ON d.owner_kind = 'enterprise' AND e.id = d.owner_id";

/// The purposes that show a face (`Purpose::is_face`), as SQL.
const FACE_PURPOSES: &str = "('id_portrait', 'selfie')";

/// Where a face photo may be read, per `FaceReach` (over `documents d`). `{}` stands for the
/// reach's value.
const FACE_OWN: &str = "d.owner_kind = 'person' AND d.owner_id = {}";
const FACE_DISTRICT: &str = "EXISTS (SELECT 1 FROM check_in_attempts a JOIN verification_tasks t ON t.id = a.task_id \
     JOIN enterprises x ON x.id = t.enterprise_id WHERE a.selfie_document_id = d.id AND x.district_code = {})";
const FACE_CITY: &str = "EXISTS (SELECT 1 FROM check_in_attempts a WHERE a.selfie_document_id = d.id) \
     OR (d.owner_kind = 'person' AND d.attached_kind = 'person_registration' AND d.state = 'locked' AND d.owner_id IN \
       (SELECT r.person_id FROM registration_reviews r WHERE r.state = 'held' \
        UNION SELECT m.matched_person_id FROM registration_review_matches m \
        JOIN registration_reviews r ON r.id = m.review_id WHERE r.state = 'held'))";

/// The SQL condition of a `FaceReach`, with the value it binds (see `auth::bounds::Condition`).
struct FaceCondition {
    sql: String,
    value: Option<String>,
}

impl FaceCondition {
    fn of(reach: &FaceReach, placeholder: usize) -> FaceCondition {
        let with = |template: &str, value: &str| FaceCondition {
            sql: format!("({})", template.replace("{}", &format!("${placeholder}"))),
            value: Some(value.to_owned()),
        };
        match reach {
            FaceReach::Own(person) => with(FACE_OWN, person.as_str()),
            FaceReach::District(code) => with(FACE_DISTRICT, code),
            FaceReach::City => FaceCondition {
                sql: format!("({FACE_CITY})"),
                value: None,
            },
            FaceReach::Nothing => FaceCondition {
                sql: "1 = 0".into(),
                value: None,
            },
        }
    }

    fn bind<'q, Q: Bind<'q>>(&'q self, query: Q) -> Q {
        match &self.value {
            Some(value) => query.bind_text(value),
            None => query,
        }
    }
}

/// Who reads: the caller's bounds for every document, and what they reach of face photos.
pub struct Reader {
    pub bounds: Bounds,
    pub faces: FaceReach,
}

impl Reader {
    /// What a caller reads (`rules::face_reach` for the faces).
    pub fn of(caller: &crate::auth::Caller) -> Reader {
        Reader {
            bounds: caller.bounds(),
            faces: super::rules::face_reach(caller.role, &caller.scope),
        }
    }

    /// A reader known only by its bounds (another domain's check): a person reaches their own
    /// faces, nobody else any.
    pub fn within(bounds: &Bounds) -> Reader {
        let faces = match bounds {
            Bounds::Person(id) => FaceReach::Own(id.clone()),
            _ => FaceReach::Nothing,
        };
        Reader {
            bounds: bounds.clone(),
            faces,
        }
    }
}

/// The condition confining documents to a reader: face photos by `faces`, the others by the
/// bounds. `placeholder` is the first free one; the conditions bind after the query's own
/// values, the bounds' first.
fn readable(reader: &Reader, placeholder: usize) -> (String, Condition, FaceCondition) {
    let within = reader.bounds.condition(&BOUNDS, placeholder);
    let faces = FaceCondition::of(&reader.faces, placeholder + usize::from(within.value().is_some()));
    let sql = format!(
        "((d.purpose NOT IN {FACE_PURPOSES} AND {within}) OR (d.purpose IN {FACE_PURPOSES} AND {}))",
        faces.sql
    );
    (sql, within, faces)
}

pub async fn get(db: impl Executor<'_>, id: &DocumentId, reader: &Reader) -> Result<Option<DocumentRow>, sqlx::Error> {
    let (sql, within, faces) = readable(reader, 2);
    let sql = format!("SELECT {COLUMNS} FROM {FROM} WHERE d.id = $1 AND {sql}");
    faces
        .bind(within.bind(sqlx::query_as(&sql).bind(id)))
        .fetch_optional(db)
        .await
}

/// Any document, whatever the caller (a signed link is the permission).
pub async fn get_any(db: impl Executor<'_>, id: &DocumentId) -> Result<Option<DocumentRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM {FROM} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// The documents of one owner within the bounds, newest first.
pub async fn list(
    db: impl Executor<'_>,
    owner_kind: &str,
    owner_id: &str,
    reader: &Reader,
    limit: i64,
    offset: i64,
) -> Result<Vec<DocumentRow>, sqlx::Error> {
    let (sql, within, faces) = readable(reader, 5);
    let sql = format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE d.owner_kind = $1 AND d.owner_id = $2 AND {sql} \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $3 OFFSET $4"
    );
    let query = sqlx::query_as(&sql)
        .bind(owner_kind)
        .bind(owner_id)
        .bind(limit)
        .bind(offset);
    faces.bind(within.bind(query)).fetch_all(db).await
}

/// A document as it is inserted.
pub struct NewDocument<'a> {
    pub id: &'a DocumentId,
    pub owner_kind: &'a str,
    pub owner_id: &'a str,
    pub purpose: Purpose,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub object_key: &'a str,
    pub file_name: &'a str,
    pub uploaded_by: &'a str,
    pub state: DocState,
    pub expected_size: Option<i64>,
    pub expected_sha256: Option<&'a str>,
}

pub async fn insert(db: impl Executor<'_>, d: &NewDocument<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO documents (id, owner_kind, owner_id, purpose, content_type, size, sha256, object_key, file_name, \
         uploaded_by, created_at, state, expected_size, expected_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(d.id)
    .bind(d.owner_kind)
    .bind(d.owner_id)
    .bind(d.purpose.as_str())
    .bind(d.content_type)
    .bind(d.size)
    .bind(d.sha256)
    .bind(d.object_key)
    .bind(d.file_name)
    .bind(d.uploaded_by)
    .bind(now)
    .bind(d.state.as_str())
    .bind(d.expected_size)
    .bind(d.expected_sha256)
    .execute(db)
    .await
    .map(|_| ())
}

/// Marks a pending upload available with what was verified; false if it was not pending.
pub async fn complete(
    db: impl Executor<'_>,
    id: &DocumentId,
    content_type: &str,
    size: i64,
    sha256: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE documents SET state = 'available', content_type = $1, size = $2, sha256 = $3 WHERE id = $4 AND state = 'pending'",
    )
    .bind(content_type)
    .bind(size)
    .bind(sha256)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the row if it is still deletable; false if its state changed meanwhile.
pub async fn delete_unlocked(db: impl Executor<'_>, id: &DocumentId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM documents WHERE id = $1 AND state <> 'locked'")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Attaches documents to a record and locks or unlocks them with it; used by the records
/// (assessments, certificates…) that carry attachments.
pub async fn set_attachment(
    db: impl Executor<'_>,
    id: &DocumentId,
    kind: &str,
    record_id: &str,
    state: DocState,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE documents SET attached_kind = $1, attached_id = $2, state = $3 WHERE id = $4 AND state <> 'pending'",
    )
    .bind(kind)
    .bind(record_id)
    .bind(state.as_str())
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Where a presigned upload's bytes go, what size was announced, and the document's state.
#[derive(sqlx::FromRow)]
pub struct UploadSlot {
    pub object_key: String,
    pub expected_size: Option<i64>,
    pub state: DocState,
}

/// The upload slot of any document (the caller proved the signed link, not a scope).
pub async fn upload_slot(db: impl Executor<'_>, id: &DocumentId) -> Result<Option<UploadSlot>, sqlx::Error> {
    sqlx::query_as("SELECT object_key, expected_size, state FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Pending uploads older than `before` (for the sweeper).
pub async fn stale_pending(db: impl Executor<'_>, before: i64) -> Result<Vec<(DocumentId, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, object_key FROM documents WHERE state = 'pending' AND created_at < $1 ORDER BY created_at LIMIT 1000")
        .bind(before)
        .fetch_all(db)
        .await
}

pub async fn delete_pending(db: impl Executor<'_>, id: &DocumentId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM documents WHERE id = $1 AND state = 'pending'")
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn exists(db: impl Executor<'_>, id: &DocumentId) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM documents WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

/// Every stored document's object, with its recorded digest and size: what a backup copies.
/// Pending uploads are left out: their objects may not exist yet, and nothing refers to them.
pub async fn stored_objects(db: impl Executor<'_>) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT object_key, sha256, size FROM documents WHERE state <> 'pending' ORDER BY object_key")
        .fetch_all(db)
        .await
}
