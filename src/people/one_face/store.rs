//! One face, one identity: SQL of the face index's change log (`face_index`, numbered by
//! `face_index_head`) and of held registrations (`registration_reviews`, with their evidence
//! in `registration_review_matches`).

use futures_util::TryStreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::platform::db::{Conn, Executor, NullableF64};
use crate::platform::ids::{DocumentId, PersonId, RegistrationReviewId};
use crate::platform::sorting;

/// Takes the next sequence number of the face index. The row stays locked until the
/// transaction ends (SQLite: the transaction already holds the write lock), so whoever takes a
/// number commits before the next number is handed out: numbers become visible in order.
pub async fn next_seq(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("UPDATE face_index_head SET seq = seq + 1 WHERE id = 1 RETURNING seq")
        .fetch_one(&mut *conn)
        .await
}

/// Records that the person's enrolled face changed (registered, held, replaced, removed) at
/// `seq`, taken with `next_seq` in the same transaction.
pub async fn mark(db: impl Executor<'_>, person: &PersonId, seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO face_index (person_id, seq) VALUES ($1, $2) ON CONFLICT (person_id) DO UPDATE SET seq = $2",
    )
    .bind(person)
    .bind(seq)
    .execute(db)
    .await
    .map(drop)
}

/// How many people the change log names (to size a first load).
pub async fn logged(conn: &mut Conn) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM face_index")
        .fetch_one(&mut *conn)
        .await
}

/// A change of the index: the person's sealed face now, or `None` when they have none (refused).
#[derive(sqlx::FromRow)]
pub struct ChangeRow {
    pub person_id: PersonId,
    pub seq: i64,
    pub face_sealed: Option<String>,
}

/// The changes after `seq`, in order, handed to `each` in batches of at most `batch` (streamed:
/// a full load never holds every row at once). Stops at the first error of `each`.
pub async fn changes_since<E: From<sqlx::Error>>(
    conn: &mut Conn,
    seq: i64,
    batch: usize,
    mut each: impl FnMut(Vec<ChangeRow>) -> Result<(), E>,
) -> Result<(), E> {
    let mut rows = sqlx::query_as::<_, ChangeRow>(
        "SELECT f.person_id, f.seq, i.face_sealed FROM face_index f \
         LEFT JOIN person_identities i ON i.person_id = f.person_id WHERE f.seq > $1 ORDER BY f.seq",
    )
    .bind(seq)
    .fetch(&mut *conn);
    let mut pending = Vec::with_capacity(batch.min(4096));
    while let Some(row) = rows.try_next().await? {
        pending.push(row);
        if pending.len() == batch {
            each(std::mem::take(&mut pending))?;
        }
    }
    if !pending.is_empty() {
        each(pending)?;
    }
    Ok(())
}

/// A held registration as stored.
#[derive(sqlx::FromRow, Clone)]
pub struct ReviewRow {
    pub id: RegistrationReviewId,
    pub person_id: PersonId,
    pub state: String,
    pub id_number_masked: String,
    pub portrait_document_id: DocumentId,
    pub selfie_document_id: DocumentId,
    pub held_at: i64,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub reason: Option<String>,
}

const REVIEW_COLUMNS: &str = "id, person_id, state, id_number_masked, portrait_document_id, selfie_document_id, \
     held_at, decided_by, decided_at, reason";

/// One identity a held registration's face matched: the evidence.
#[derive(sqlx::FromRow, Serialize, ToSchema, Clone)]
pub struct MatchRow {
    #[schema(value_type = String)]
    pub matched_person_id: PersonId,
    /// Distance between the two enrolled faces (under `face.threshold`).
    pub distance: f64,
    /// Unix milliseconds.
    pub found_at: i64,
}

pub struct NewReview<'a> {
    pub id: &'a RegistrationReviewId,
    pub person: &'a PersonId,
    pub id_number_masked: &'a str,
    pub portrait: &'a DocumentId,
    pub selfie: &'a DocumentId,
}

/// Opens a review of a held registration with the identities its face matched.
pub async fn hold(
    conn: &mut Conn,
    review: &NewReview<'_>,
    matches: &[(PersonId, f32)],
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO registration_reviews (id, person_id, state, id_number_masked, portrait_document_id, selfie_document_id, held_at) \
         VALUES ($1, $2, 'held', $3, $4, $5, $6)",
    )
    .bind(review.id)
    .bind(review.person)
    .bind(review.id_number_masked)
    .bind(review.portrait)
    .bind(review.selfie)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    for (person, distance) in matches {
        sqlx::query(
            "INSERT INTO registration_review_matches (review_id, matched_person_id, distance, found_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(review.id)
        .bind(person)
        .bind(NullableF64(Some(f64::from(*distance))))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn review(db: impl Executor<'_>, id: &RegistrationReviewId) -> Result<Option<ReviewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} FROM registration_reviews WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await
}

/// The person's review still held, if any.
pub async fn held_review_of(db: impl Executor<'_>, person: &PersonId) -> Result<Option<ReviewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} FROM registration_reviews WHERE person_id = $1 AND state = 'held'"
    ))
    .bind(person)
    .fetch_optional(db)
    .await
}

/// What the list of reviews can be sorted by (names are sealed, so not by name).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReviewSort {
    /// When the registration was held: the oldest first is the order a reviewer works in.
    #[default]
    Held,
    State,
}

impl sorting::SortKey for ReviewSort {
    const ALL: &'static [ReviewSort] = &[ReviewSort::Held, ReviewSort::State];

    fn as_str(self) -> &'static str {
        match self {
            ReviewSort::Held => "held",
            ReviewSort::State => "state",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            ReviewSort::Held => &["held_at"],
            ReviewSort::State => &["state", "held_at"],
        }
    }
}

pub type ReviewOrder = sorting::Order<ReviewSort>;

/// Reviews in `state` (or all), in `order`.
pub async fn reviews(
    db: impl Executor<'_>,
    state: Option<&str>,
    order: ReviewOrder,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REVIEW_COLUMNS} FROM registration_reviews WHERE ($1 IS NULL OR state = $1) \
         ORDER BY {} LIMIT $2 OFFSET $3",
        order.sql("id")
    ))
    .bind(state)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await
}

/// How many reviews are in `state` (or all).
pub async fn count_reviews(db: impl Executor<'_>, state: Option<&str>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM registration_reviews WHERE ($1 IS NULL OR state = $1)")
        .bind(state)
        .fetch_one(db)
        .await
}

pub async fn matches(db: impl Executor<'_>, review: &RegistrationReviewId) -> Result<Vec<MatchRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT matched_person_id, distance, found_at FROM registration_review_matches WHERE review_id = $1 \
         ORDER BY distance, matched_person_id",
    )
    .bind(review)
    .fetch_all(db)
    .await
}

/// Records the decision on a held review; false if it was no longer held (decided meanwhile).
pub async fn decide(
    db: impl Executor<'_>,
    id: &RegistrationReviewId,
    state: &str,
    by: &str,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE registration_reviews SET state = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5 AND state = 'held'",
    )
    .bind(state)
    .bind(by)
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// An approved registration: the identity active, the person registered.
pub async fn activate(conn: &mut Conn, person: &PersonId, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE person_identities SET state = 'active', updated_at = $1 WHERE person_id = $2")
        .bind(now)
        .bind(person)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE people SET status = 'registered', updated_at = $1 WHERE id = $2 AND status = 'unregistered'")
        .bind(now)
        .bind(person)
        .execute(&mut *conn)
        .await
        .map(drop)
}

/// A refused registration: the held identity removed (its ID number free again, its face out
/// of the index once the change is marked). The review keeps the evidence.
pub async fn remove_held_identity(db: impl Executor<'_>, person: &PersonId) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM person_identities WHERE person_id = $1 AND state = 'held'")
        .bind(person)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The registrations held for a manual review, oldest first, for the staff inbox
/// (`notify::awaiting`): each named by its masked ID number (the name is sealed).
pub async fn awaiting_review(conn: &mut Conn) -> Result<Vec<crate::notify::awaiting::Row>, sqlx::Error> {
    sqlx::query_as(&crate::notify::awaiting::queue(
        "id AS target_id, NULL AS enterprise_id, NULL AS enterprise_name, id_number_masked AS subject, held_at AS since",
        "FROM registration_reviews WHERE state = 'held'",
        "held_at, id",
    ))
    .fetch_all(&mut *conn)
    .await
}
