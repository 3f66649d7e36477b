//! The face photo registry's SQL: `face_photos`, one row per photo received, its 64-bit hash
//! kept whole (the u64's bits as a BIGINT) and as four 16-bit bands, each with its own index.

use super::rules::{self, Earlier, BANDS};
use super::Flow;
use crate::platform::db::{Conn, Engine, Executor};
use crate::platform::ids::{DocumentId, FacePhotoId, PersonId};

/// Arbitrary constant naming the PostgreSQL advisory lock a transaction holds from its final
/// reuse check to its commit, so that two near-identical photos cannot both pass.
const RECORDING_LOCK: i64 = 0x7a68_7068_6f74;

/// Every stored photo within `radius` bits of `hash`. The band indexes give the candidates'
/// hashes (pigeonhole: at least one band of each is within ⌊radius/4⌋, see `rules::probes`),
/// read from the indexes alone since each carries the hash; only the few within the distance
/// are then read whole. The statements' text depends only on the radius, so each is prepared
/// once per connection.
pub async fn find_near(db: &mut Conn, engine: Engine, hash: u64, radius: u32) -> Result<Vec<Earlier>, sqlx::Error> {
    let near: std::collections::BTreeSet<u64> = candidates(&mut *db, engine, hash, radius)
        .await?
        .into_iter()
        .filter(|&candidate| rules::hamming(candidate, hash) <= radius)
        .collect();
    let mut found = Vec::new();
    for near_hash in near {
        let [band0, ..] = rules::bands(near_hash);
        let rows: Vec<(Flow, String)> =
            sqlx::query_as("SELECT flow, person_id FROM face_photos WHERE band0 = $1 AND hash = $2")
                .bind(i64::from(band0))
                .bind(near_hash as i64)
                .fetch_all(&mut *db)
                .await?;
        found.extend(rows.into_iter().map(|(flow, person_id)| Earlier {
            hash: near_hash,
            flow,
            person_id,
        }));
    }
    Ok(found)
}

/// The hashes sharing a probed value in some band: one index range per probe, read from the
/// indexes alone and sent back as one comma-separated text (one row, not one per candidate).
async fn candidates(db: &mut Conn, engine: Engine, hash: u64, radius: u32) -> Result<Vec<u64>, sqlx::Error> {
    let probes = rules::probes(hash, radius);
    let mut n = 0;
    let mut selects = Vec::with_capacity(BANDS);
    for (band, values) in probes.iter().enumerate() {
        let list: Vec<String> = values
            .iter()
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect();
        selects.push(format!(
            "SELECT hash FROM face_photos WHERE band{band} IN ({})",
            list.join(", ")
        ));
    }
    let joined = match engine {
        Engine::Sqlite => "group_concat(hash)",
        Engine::Postgres => "string_agg(hash::text, ',')",
    };
    let sql = format!("SELECT {joined} FROM ({}) AS candidates", selects.join(" UNION ALL "));
    let mut query = sqlx::query_scalar::<_, Option<String>>(&sql);
    for value in probes.iter().flatten() {
        query = query.bind(i64::from(*value));
    }
    let joined = query.fetch_one(&mut *db).await?.unwrap_or_default();
    Ok(joined
        .split(',')
        .filter_map(|h| h.parse::<i64>().ok())
        .map(|h| h as u64)
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
