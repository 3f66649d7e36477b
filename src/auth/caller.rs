//! `Caller`: who is making the request, taken from the bearer token. Every protected handler
//! takes one; a handler without it is public.
//!
//! Missing or bad token → 401 with `WWW-Authenticate`; wrong role → 403 (`require`); an object
//! outside the caller's scope → 404, which the stores give by filtering on the caller's
//! `bounds()`.
//!
//! A training institution's token is refused by `Caller` (403) whatever the handler: such an
//! account has one right only, entering continuing-education records, so it reaches nothing
//! by default. The few handlers it may use take `AnyCaller` instead (its own identity and
//! password, and continuing education) and check the role themselves.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, StatusCode},
};

use super::tokens::TokenError;
use super::{Bounds, Channel, Role, Scope};
use crate::audit::AuditContext;
use crate::platform::error::ApiError;
use crate::platform::ids::{EnterpriseId, PersonId, StaffId, TrainingInstitutionId};
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub role: Role,
    pub scope: Scope,
    pub channel: Channel,
}

impl Caller {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden_role())
        }
    }

    /// 403 for a system administrator, who administers accounts and sees no person: no
    /// identity, employment, check-in or face (least privilege on personal and biometric data).
    pub fn require_people_access(&self) -> Result<(), ApiError> {
        if self.role == Role::Sysadmin {
            Err(ApiError::forbidden_role())
        } else {
            Ok(())
        }
    }

    /// The district a staff caller is confined to; `None` for city-wide callers.
    pub fn district(&self) -> Option<&str> {
        match &self.scope {
            Scope::District(code) => Some(code),
            _ => None,
        }
    }

    /// Whether an object in `district_code` is within a staff caller's jurisdiction.
    pub fn covers_district(&self, district_code: &str) -> bool {
        match &self.scope {
            Scope::City => true,
            Scope::District(code) => code == district_code,
            _ => false,
        }
    }

    /// The enterprise id when the caller is an enterprise.
    pub fn enterprise_id(&self) -> Option<&EnterpriseId> {
        match &self.scope {
            Scope::Enterprise(id) => Some(id),
            _ => None,
        }
    }

    /// The institution id when the caller is a training institution.
    pub fn training_id(&self) -> Option<&TrainingInstitutionId> {
        match &self.scope {
            Scope::Training(id) => Some(id),
            _ => None,
        }
    }

    /// The person id when the caller is a person.
    pub fn person_id(&self) -> Option<&PersonId> {
        match &self.scope {
            Scope::Person(id) => Some(id),
            _ => None,
        }
    }

    /// The account id as a staff account's id: what a staff caller (after `require` of staff
    /// roles) records as the author of an act.
    pub fn staff_id(&self) -> StaffId {
        StaffId::from(self.account_id.as_str())
    }

    /// The records the caller may reach, for the stores (see `auth::bounds`). A supervisor
    /// reaches their own records, or else their district's; everyone else follows the scope.
    pub fn bounds(&self) -> Bounds {
        match (self.role, &self.scope) {
            (_, Scope::Person(id)) => Bounds::Person(id.clone()),
            (_, Scope::Enterprise(id)) => Bounds::Enterprise(id.clone()),
            (_, Scope::Training(id)) => Bounds::Training(id.clone()),
            (Role::Supervisor, Scope::District(code)) => Bounds::Supervisor {
                account: self.staff_id(),
                district: Some(code.clone()),
            },
            (Role::Supervisor, Scope::City) => Bounds::Supervisor {
                account: self.staff_id(),
                district: None,
            },
            (_, Scope::District(code)) => Bounds::District(code.clone()),
            (_, Scope::City) => Bounds::City,
        }
    }
}

const REALM: &str = "Bearer realm=\"zhujian\"";

fn unauthorized(code: &'static str, zh: &'static str, en: &'static str, challenge: String) -> ApiError {
    let mut error = ApiError::new(StatusCode::UNAUTHORIZED, code, zh, en);
    error.authenticate = Some(challenge);
    error
}

impl FromRequestParts<AppState> for AnyCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| {
                unauthorized(
                    "auth.missing_token",
                    "请先登录",
                    "Sign in first: send Authorization: Bearer <access token>",
                    REALM.into(),
                )
            })?;
        let now = state.clock.now_ms();
        let (subject, session) = state.tokens.verify(token, now).map_err(|e| match e {
            TokenError::Expired => unauthorized(
                "auth.token_expired",
                "登录已过期，请刷新令牌或重新登录",
                "The access token has expired; refresh it or sign in again",
                format!("{REALM}, error=\"invalid_token\", error_description=\"token expired\""),
            ),
            TokenError::Invalid => unauthorized(
                "auth.invalid_token",
                "登录凭证无效，请重新登录",
                "The access token is not valid; sign in again",
                format!("{REALM}, error=\"invalid_token\""),
            ),
        })?;
        let lifetime_ms = state.settings.auth.access_token_ttl_secs * 1000;
        if state
            .ended_sessions
            .has_ended(&state.db, &session, now, lifetime_ms)
            .await?
        {
            return Err(unauthorized(
                "auth.session_ended",
                "该登录已注销（退出登录或密码已修改），请重新登录",
                "This sign-in has ended (signed out, or the password was changed or reset); sign in again",
                format!("{REALM}, error=\"invalid_token\""),
            ));
        }
        if let Some(audit) = parts.extensions.get::<AuditContext>() {
            audit.set_actor(
                subject.role.account_kind().as_str(),
                &subject.account_id,
                subject.role.as_str(),
            );
        }
        Ok(AnyCaller(Caller {
            account_id: subject.account_id,
            role: subject.role,
            scope: subject.scope,
            channel: subject.channel,
        }))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// Any signed-in account but a training institution's (see the module documentation).
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AnyCaller(caller) = AnyCaller::from_request_parts(parts, state).await?;
        if caller.role == Role::Training {
            return Err(ApiError::forbidden_role());
        }
        Ok(caller)
    }
}

/// Any signed-in account, a training institution's included: for the handlers a training
/// institution may use, which check the role themselves.
#[derive(Debug, Clone)]
pub struct AnyCaller(pub Caller);
