//! Enterprise accounts (DOMAIN.md §2): identified by the unified social credit code; staff open
//! the account and the initial password goes to the enterprise contact by SMS (seed 004: 登录密码
//! 将以短信形式告知核查企业联系人). The full profile comes with the employment work.

//!
//! Other domains reach enterprises only through this file: `get` reads an enterprise within a
//! caller's bounds, `by_credit_code` finds one by its code (a certificate names its enterprise
//! so), `site_of` reads where its check-ins are fenced.

pub mod accounts;
pub mod routes;
mod store;

use crate::auth::Bounds;
use crate::platform::db::Executor;
use crate::platform::ids::EnterpriseId;
use crate::platform::types::Coordinates;

pub use store::{
    index_for_search, open_phone, seal_phone, seal_plain_contact_phones, search_grams, ChangeView, EnterpriseRow,
    EnterpriseView, Search, SortKey,
};

/// The enterprise if it lies within `bounds`.
pub async fn get(
    db: impl Executor<'_>,
    id: &EnterpriseId,
    bounds: &Bounds,
) -> Result<Option<EnterpriseRow>, sqlx::Error> {
    store::get(db, id, bounds).await
}

/// The enterprise registered under `credit_code`, whoever asks: for records that name an
/// enterprise by its code (a certificate's enterprise, which confirms its services).
pub async fn by_credit_code(db: impl Executor<'_>, credit_code: &str) -> Result<Option<EnterpriseRow>, sqlx::Error> {
    store::by_credit_code(db, credit_code).await
}

/// Where an enterprise's check-ins are fenced: its registered address's position, and the
/// polygon or circle radius staff set for it.
pub struct Site {
    pub position: Option<Coordinates>,
    pub polygon: Option<Vec<Coordinates>>,
    pub radius_m: Option<f64>,
}

/// The enterprise's check-in site, whoever asks (a selected person checking in).
pub async fn site_of(db: impl Executor<'_>, id: &EnterpriseId) -> Result<Option<Site>, sqlx::Error> {
    Ok(store::get_unbounded(db, id).await?.map(|e| Site {
        position: e.site(),
        polygon: e.polygon(),
        radius_m: e.site_radius_m,
    }))
}
