//! The face photo registry's SQL: `face_photos`, one row per photo received, its 64-bit hash
//! kept whole (the u64's bits as a BIGINT) and as four 16-bit bands, each with its own index.

use super::rules::{self, Earlier, BANDS};
use super::Flow;
use crate::platform::db::{Conn, Engine, Executor};
use crate::platform::ids::{DocumentId, FacePhotoId, PersonId};

/// Arbitrary constant naming the PostgreSQL advisory lock a transaction holds from its final
/// reuse check to its commit, so that two near-identical photos cannot both pass.
const RECORDING_LOCK: i64 = 0x7a68_7068_6f74;

/// Every stored photo within `radius` bits of `hash`: the band indexes give the candidates
/// (pigeonhole: at least one band of each is within ⌊radius/4⌋, see `rules::probes`), then
/// the exact distance is checked here. The statement's text depends only on the radius, so
/// it is prepared once per connection.
pub async fn find_near(db: impl Executor<'_>, hash: u64, radius: u32) -> Result<Vec<Earlier>, sqlx::Error> {
    let probes = rules::probes(hash, radius);
    let mut n = 0;
    let mut conditions = Vec::with_capacity(BANDS);
    for (band, values) in probes.iter().enumerate() {
        let list: Vec<String> = values
            .iter()
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect();
        conditions.push(format!("band{band} IN ({})", list.join(", ")));
    }
    let sql = format!(
        "SELECT hash, flow, person_id FROM face_photos WHERE {}",
        conditions.join(" OR ")
    );
    let mut query = sqlx::query_as::<_, (i64, Flow, String)>(&sql);
    for value in probes.iter().flatten() {
        query = query.bind(i64::from(*value));
    }
    let rows = query.fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(hash, flow, person_id)| Earlier {
            hash: hash as u64,
            flow,
            person_id,
        })
        .filter(|e| rules::hamming(e.hash, hash) <= radius)
        .collect())
}

/// Makes the caller's transaction the only one recording photos until it ends (PostgreSQL;
/// SQLite's writing transactions already hold the database's single write lock).
pub async fn lock_for_recording(conn: &mut Conn, engine: Engine) -> Result<(), sqlx::Error> {
    if engine == Engine::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock($1)) AS locked")
            .bind(RECORDING_LOCK)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// One photo as received.
pub struct NewPhoto<'a> {
    pub hash: u64,
    pub flow: Flow,
    pub person_id: &'a PersonId,
    pub document_id: Option<&'a DocumentId>,
    pub at: i64,
}

pub async fn insert(db: impl Executor<'_>, photo: &NewPhoto<'_>) -> Result<FacePhotoId, sqlx::Error> {
    let id = FacePhotoId::new();
    let [b0, b1, b2, b3] = rules::bands(photo.hash);
    sqlx::query(
        "INSERT INTO face_photos (id, hash, band0, band1, band2, band3, flow, person_id, document_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(photo.hash as i64)
    .bind(i64::from(b0))
    .bind(i64::from(b1))
    .bind(i64::from(b2))
    .bind(i64::from(b3))
    .bind(photo.flow)
    .bind(photo.person_id)
    .bind(photo.document_id.map(|d| d.as_str()))
    .bind(photo.at)
    .execute(db)
    .await?;
    Ok(id)
}
