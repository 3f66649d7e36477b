//! People SQL: accounts bound to an openid, and their registered identity (sealed).

use serde::Serialize;
use utoipa::ToSchema;

use crate::face::{descriptor_bytes, descriptor_from_bytes};
use crate::platform::crypto::Keys;
use crate::platform::db::{Conn, Executor};
use crate::platform::ids::{DocumentId, PersonId};
use zhujian_face::Descriptor;

/// The person bound to `openid`, created on first login. Concurrent first logins create one.
pub async fn find_or_create_by_openid(conn: &mut Conn, openid: &str, now: i64) -> Result<PersonId, sqlx::Error> {
    sqlx::query(
        "INSERT INTO people (id, openid, status, created_at, updated_at, last_login_at) VALUES ($1, $2, 'unregistered', $3, $3, $3) \
         ON CONFLICT (openid) DO UPDATE SET last_login_at = $3",
    )
    .bind(PersonId::new())
    .bind(openid)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_scalar("SELECT id FROM people WHERE openid = $1")
        .bind(openid)
        .fetch_one(&mut *conn)
        .await
}

/// Whether the account exists and is not disabled.
pub async fn is_enabled(db: impl Executor<'_>, id: &PersonId) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM people WHERE id = $1 AND status <> 'disabled'")
        .bind(id)
        .fetch_optional(db)
        .await?;
    Ok(found.is_some())
}

#[derive(sqlx::FromRow)]
pub struct PersonRow {
    pub id: PersonId,
    pub status: String,
    pub created_at: i64,
}

pub async fn get(db: impl Executor<'_>, id: &PersonId) -> Result<Option<PersonRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, status, created_at FROM people WHERE id = $1")
        .bind(id)
        .fetch_optional(db)
        .await
}

#[derive(sqlx::FromRow)]
pub struct IdentityRow {
    pub person_id: PersonId,
    pub id_number_masked: String,
    pub name_sealed: String,
    pub phone_masked: String,
    pub portrait_document_id: DocumentId,
    pub selfie_document_id: DocumentId,
    pub face_sealed: String,
    pub registered_at: i64,
    /// active | held (for review: the face matched another identity)
    pub state: String,
}

/// A registered identity as shown (masked where it must be).
#[derive(Serialize, ToSchema)]
pub struct IdentityView {
    pub name: String,
    /// e.g. `110105********002X`
    pub id_number: String,
    /// e.g. `138****5678`
    pub phone: String,
    #[schema(value_type = String)]
    pub portrait_document_id: DocumentId,
    /// Unix milliseconds.
    pub registered_at: i64,
}

const IDENTITY_COLUMNS: &str =
    "person_id, id_number_masked, name_sealed, phone_masked, portrait_document_id, selfie_document_id, face_sealed, registered_at, state";

pub async fn identity(db: impl Executor<'_>, person_id: &PersonId) -> Result<Option<IdentityRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {IDENTITY_COLUMNS} FROM person_identities WHERE person_id = $1"
    ))
    .bind(person_id)
    .fetch_optional(db)
    .await
}

pub async fn identity_by_hash(db: impl Executor<'_>, id_number_hash: &str) -> Result<Option<IdentityRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {IDENTITY_COLUMNS} FROM person_identities WHERE id_number_hash = $1"
    ))
    .bind(id_number_hash)
    .fetch_optional(db)
    .await
}

/// The keyed hash and the sealed ID number of a registered person.
pub async fn id_number_of(
    db: impl Executor<'_>,
    person_id: &PersonId,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id_number_hash, id_number_sealed FROM person_identities WHERE person_id = $1")
        .bind(person_id)
        .fetch_optional(db)
        .await
}

/// Sealing contexts: each value opens only for its own person and field.
pub fn context(person_id: &PersonId, field: &str) -> String {
    format!("person:{person_id}:{field}")
}

/// Opens a person's sealed name.
pub fn unseal_name(keys: &Keys, person_id: &PersonId, sealed: &str) -> Option<String> {
    keys.open(&context(person_id, "name"), sealed)
        .and_then(|b| String::from_utf8(b).ok())
}

impl IdentityRow {
    /// Whether the registration is held for review (its face matched another identity).
    pub fn is_held(&self) -> bool {
        self.state == "held"
    }

    pub fn view(&self, keys: &Keys) -> IdentityView {
        let name = unseal_name(keys, &self.person_id, &self.name_sealed);
        IdentityView {
            name: name.unwrap_or_default(),
            id_number: self.id_number_masked.clone(),
            phone: self.phone_masked.clone(),
            portrait_document_id: self.portrait_document_id.clone(),
            registered_at: self.registered_at,
        }
    }

    /// The enrolled face descriptor.
    pub fn face(&self, keys: &Keys) -> Option<Descriptor> {
        descriptor_from_bytes(&keys.open(&context(&self.person_id, "face"), &self.face_sealed)?)
    }
}

pub struct NewIdentity<'a> {
    pub person_id: &'a PersonId,
    pub id_number: &'a str,
    /// `id_number_hash` of the ID number.
    pub id_number_hash: &'a str,
    pub id_number_masked: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub phone_masked: &'a str,
    pub portrait_document_id: &'a DocumentId,
    pub selfie_document_id: &'a DocumentId,
    pub face: &'a Descriptor,
    /// Held for review: the face matched another identity (the person stays unregistered).
    pub held: bool,
}

/// Records a verified identity and marks the person registered, unless it is held. Fails with
/// a unique violation when the ID number is registered to another account.
pub async fn register(conn: &mut Conn, keys: &Keys, n: &NewIdentity<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO person_identities (person_id, id_number_hash, id_number_sealed, id_number_masked, name_sealed, phone_sealed, \
         phone_masked, portrait_document_id, selfie_document_id, face_sealed, registered_at, updated_at, state) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)",
    )
    .bind(n.person_id)
    .bind(n.id_number_hash)
    .bind(keys.seal(&context(n.person_id, "id_number"), n.id_number.as_bytes()))
    .bind(n.id_number_masked)
    .bind(keys.seal(&context(n.person_id, "name"), n.name.as_bytes()))
    .bind(keys.seal(&context(n.person_id, "phone"), n.phone.as_bytes()))
    .bind(n.phone_masked)
    .bind(n.portrait_document_id)
    .bind(n.selfie_document_id)
    .bind(keys.seal(&context(n.person_id, "face"), &descriptor_bytes(n.face)))
    .bind(now)
    .bind(if n.held { "held" } else { "active" })
    .execute(&mut *conn)
    .await?;
    if n.held {
        return Ok(());
    }
    sqlx::query("UPDATE people SET status = 'registered', updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(n.person_id)
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Replaces the portrait and selfie and the enrolled face built from them.
pub async fn replace_portrait(
    db: impl Executor<'_>,
    keys: &Keys,
    person_id: &PersonId,
    portrait: &DocumentId,
    selfie: &DocumentId,
    face: &Descriptor,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE person_identities SET portrait_document_id = $1, selfie_document_id = $2, face_sealed = $3, updated_at = $4 \
         WHERE person_id = $5",
    )
    .bind(portrait)
    .bind(selfie)
    .bind(keys.seal(&context(person_id, "face"), &descriptor_bytes(face)))
    .bind(now)
    .bind(person_id)
    .execute(db)
    .await
    .map(|_| ())
}

/// The keyed hash that finds an identity by ID number without decrypting any row.
pub fn id_number_hash(keys: &Keys, id_number: &str) -> String {
    keys.mac("id-number", id_number)
}
