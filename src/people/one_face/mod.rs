//! One face, one identity (issue 13, part 4). At registration the new face is searched
//! against every enrolled face (1:N); a match with another identity holds the registration
//! for city staff (`review`), with the match kept as evidence.
//!
//! The search runs on an in-memory index (`index`) of every enrolled face, decrypted. Each
//! instance builds it from the database (at start-up, or at its first search) and keeps it
//! current from `face_index`, a change log numbered by `face_index_head`: before it searches,
//! it applies the changes after the last number it has seen (one indexed range query), so a
//! face enrolled through another instance is seen by the next search anywhere. A removed face
//! (a refused registration) is a change too: its row then finds no identity.
//!
//! Races: a registration takes the next number first (`store::next_seq`), which holds the
//! head row's lock (SQLite: the write lock) until it commits; it then catches up, searches and
//! enrols. Two registrations of one face are therefore decided one after the other, the
//! second seeing the first, on one instance or several.

pub mod index;
pub mod review;
pub mod store;

use std::sync::{Arc, RwLock};

use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use zhujian_face::Descriptor;

use crate::face::descriptor_from_bytes;
use crate::platform::crypto::Keys;
use crate::platform::db::Conn;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::PersonId;
use crate::state::AppState;
use index::{Change, FaceIndex};

/// At most this many matched identities are kept as a held registration's evidence.
pub const MAX_EVIDENCE: usize = 5;
/// Rows applied per batch while catching up.
const BATCH: usize = 10_000;

/// This instance's index and the last change number applied to it.
#[derive(Default)]
pub struct SharedIndex {
    faces: Arc<RwLock<FaceIndex>>,
    /// Held while catching up, so that two catch-ups of one instance do not interleave.
    seen: tokio::sync::Mutex<i64>,
}

/// The bits of a person id (UUID text) as the index keeps them.
pub fn person_bits(person: &PersonId) -> Option<u128> {
    uuid::Uuid::parse_str(person.as_str()).ok().map(|u| u.as_u128())
}

fn person_of(bits: u128) -> PersonId {
    PersonId::from(uuid::Uuid::from_u128(bits).hyphenated().to_string())
}

/// Opens a change's face; a face that does not open is logged and left out (it cannot be
/// compared, whatever the index does).
fn change_of(keys: &Keys, row: store::ChangeRow) -> Option<Change> {
    let Some(person) = person_bits(&row.person_id) else {
        tracing::error!(person = %row.person_id, "face index: a person id that is not a UUID is left out");
        return None;
    };
    let face = row.face_sealed.and_then(|sealed| {
        let opened = keys
            .open(&super::store::context(&row.person_id, "face"), &sealed)
            .and_then(|bytes| descriptor_from_bytes(&bytes));
        if opened.is_none() {
            tracing::error!(person = %row.person_id, "face index: an enrolled face does not open and is left out");
        }
        opened
    });
    Some(Change { person, face })
}

impl SharedIndex {
    /// Applies the changes recorded after the last one this instance has seen (every face, the
    /// first time). `conn` is a registration's transaction or any connection.
    pub async fn catch_up(&self, conn: &mut Conn, keys: &Keys) -> Result<(), sqlx::Error> {
        let mut seen = self.seen.lock().await;
        let since = *seen;
        let faces = &self.faces;
        if since == 0 {
            let everyone = usize::try_from(store::logged(&mut *conn).await?).unwrap_or(0);
            faces.write().unwrap_or_else(|e| e.into_inner()).reserve(everyone);
        }
        store::changes_since(conn, since, BATCH, |rows| {
            let last = rows.last().map_or(*seen, |r| r.seq);
            let changes: Vec<Change> = rows.into_iter().filter_map(|row| change_of(keys, row)).collect();
            let mut index = faces.write().unwrap_or_else(|e| e.into_inner());
            index.apply(&changes);
            *seen = last;
            Ok::<_, sqlx::Error>(())
        })
        .await
    }

    /// Loads the index at start-up, so that the first registration does not wait for it.
    pub async fn load(&self, db: &crate::platform::db::Db, keys: &Keys) -> anyhow::Result<()> {
        let started = std::time::Instant::now();
        self.catch_up(&mut *db.acquire().await?, keys).await?;
        let (faces, bytes) = self.size();
        tracing::info!(
            faces,
            bytes,
            millis = started.elapsed().as_millis() as u64,
            "face index loaded"
        );
        Ok(())
    }

    /// Faces held and bytes used.
    pub fn size(&self) -> (usize, usize) {
        let index = self.faces.read().unwrap_or_else(|e| e.into_inner());
        (index.len(), index.memory_bytes())
    }

    /// The people whose face may be within `threshold` of `face` (off the async threads).
    pub async fn candidates(&self, face: Descriptor, threshold: f32) -> ApiResult<Vec<PersonId>> {
        let faces = self.faces.clone();
        let found = tokio::task::spawn_blocking(move || {
            let index = faces.read().unwrap_or_else(|e| e.into_inner());
            index.candidates(&face, threshold)
        })
        .await
        .map_err(ApiError::internal)?;
        Ok(found.into_iter().map(|c| person_of(c.person)).collect())
    }
}

/// An enrolled identity a new face matched, at its exact distance.
pub struct Match {
    pub person: PersonId,
    pub distance: f32,
}

/// Takes the index's next change number (holding its lock until `tx` ends), brings the index
/// up to date and searches it for `face`: the identities other than `person` that match it
/// (under `face.threshold`, decided on their decrypted faces), nearest first, at most
/// `MAX_EVIDENCE`. Returns the number to `enrolled` with.
pub async fn search(
    tx: &mut Conn,
    state: &AppState,
    person: &PersonId,
    face: &Descriptor,
) -> ApiResult<(i64, Vec<Match>)> {
    let seq = store::next_seq(&mut *tx).await?;
    state.face_index.catch_up(&mut *tx, &state.keys).await?;
    let candidates = state
        .face_index
        .candidates(*face, state.settings.face.threshold)
        .await?;
    let mut found = Vec::new();
    for candidate in candidates.into_iter().filter(|c| c != person) {
        let Some(enrolled) = super::store::identity(&mut *tx, &candidate)
            .await?
            .and_then(|i| i.face(&state.keys))
        else {
            continue;
        };
        let verdict = state.face.compare(&enrolled, face);
        if verdict.matched {
            found.push(Match {
                person: candidate,
                distance: verdict.distance,
            });
        }
    }
    found.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    found.truncate(MAX_EVIDENCE);
    Ok((seq, found))
}

/// What a held person is told, with their profile and when they try a face-checked act.
#[derive(Serialize, ToSchema)]
pub struct HeldNotice {
    /// `person.registration_held`
    pub code: &'static str,
    pub message_zh: &'static str,
    pub message_en: &'static str,
}

pub const HELD: &str = "person.registration_held";
const HELD_ZH: &str =
    "您的人脸与已登记的其他身份相同，实名登记已提交市安监站人工审核；审核通过前不能进行刷脸操作或确认聘用";
const HELD_EN: &str = "Your face matches another registered identity, so your registration is held for review by \
     the city station; until it is approved you cannot do face-checked acts or accept employment";

pub fn held_notice() -> HeldNotice {
    HeldNotice {
        code: HELD,
        message_zh: HELD_ZH,
        message_en: HELD_EN,
    }
}

/// The refusal of a face-checked act by a person whose registration is held.
pub fn held() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, HELD, HELD_ZH, HELD_EN)
}
