//! Sign-in and authorization: accounts of four kinds (staff, enterprise, person, training
//! institution), access
//! tokens (JWT) and refresh tokens, sign-in throttling, SMS password reset, WeChat login,
//! and the `Caller` every protected handler takes. The accounts themselves belong to their
//! domains; auth reaches them only through the ports in `accounts`.

pub mod accounts;
pub mod bounds;
pub mod caller;
pub mod console_sessions;
pub mod passwords;
pub mod routes;
pub mod sessions;
pub mod signin;
pub mod sms_codes;
pub mod store;
pub mod throttle;
pub mod tokens;
pub mod wechat;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::platform::ids::{EnterpriseId, PersonId, TrainingInstitutionId};

pub use accounts::Accounts;
pub use bounds::{Bounds, Columns, Key};
pub use caller::{AnyCaller, Caller};

/// What a caller is allowed to be. Staff roles follow DOMAIN.md: the city station (`city`),
/// district authorities (`district`, bound to a district code), site supervisors
/// (`supervisor`) and system administrators (`sysadmin`). A training institution (`training`,
/// 培训机构) is no staff: it only enters continuing-education records, and `Caller` refuses it
/// everywhere else (`AnyCaller`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Person,
    Enterprise,
    City,
    District,
    Supervisor,
    Sysadmin,
    Training,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Person => "person",
            Role::Enterprise => "enterprise",
            Role::City => "city",
            Role::District => "district",
            Role::Supervisor => "supervisor",
            Role::Sysadmin => "sysadmin",
            Role::Training => "training",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Person,
            Role::Enterprise,
            Role::City,
            Role::District,
            Role::Supervisor,
            Role::Sysadmin,
            Role::Training,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Person | Role::Enterprise | Role::Training)
    }

    pub fn account_kind(self) -> AccountKind {
        match self {
            Role::Person => AccountKind::Person,
            Role::Enterprise => AccountKind::Enterprise,
            Role::Training => AccountKind::Training,
            _ => AccountKind::Staff,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Staff,
    Enterprise,
    Person,
    Training,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Staff => "staff",
            AccountKind::Enterprise => "enterprise",
            AccountKind::Person => "person",
            AccountKind::Training => "training",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        [
            AccountKind::Staff,
            AccountKind::Enterprise,
            AccountKind::Person,
            AccountKind::Training,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Which objects a caller may see: its own person record, its own enterprise, one district,
/// the whole city, or a training institution's own continuing-education records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Person(PersonId),
    Enterprise(EnterpriseId),
    District(String),
    City,
    Training(TrainingInstitutionId),
}

impl Scope {
    /// The compact form carried in tokens: `person:<id>`, `enterprise:<id>`, `district:<code>`,
    /// `city`, `training:<id>`.
    pub fn encode(&self) -> String {
        match self {
            Scope::Person(id) => format!("person:{id}"),
            Scope::Enterprise(id) => format!("enterprise:{id}"),
            Scope::District(code) => format!("district:{code}"),
            Scope::City => "city".into(),
            Scope::Training(id) => format!("training:{id}"),
        }
    }

    pub fn decode(s: &str) -> Option<Scope> {
        match s.split_once(':') {
            Some(("person", id)) => Some(Scope::Person(id.into())),
            Some(("enterprise", id)) => Some(Scope::Enterprise(id.into())),
            Some(("district", code)) => Some(Scope::District(code.into())),
            Some(("training", id)) => Some(Scope::Training(id.into())),
            None if s == "city" => Some(Scope::City),
            _ => None,
        }
    }

    /// The scope of a staff member: district staff (and supervisors bound to a district) see
    /// their district; everyone else sees the city.
    pub fn for_staff(role: Role, district_code: Option<&str>) -> Scope {
        match (role, district_code) {
            (Role::District | Role::Supervisor, Some(code)) => Scope::District(code.into()),
            _ => Scope::City,
        }
    }
}

/// Where a token was obtained: the WeChat mini-program or a web console. Some acts (confirming
/// employment, checking in) are allowed only from the mini-program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    MiniProgram,
    Web,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::MiniProgram => "mini_program",
            Channel::Web => "web",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        match s {
            "mini_program" => Some(Channel::MiniProgram),
            "web" => Some(Channel::Web),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip() {
        for s in [
            Scope::Person("p".into()),
            Scope::Enterprise("e".into()),
            Scope::District("370102".into()),
            Scope::City,
            Scope::Training("t".into()),
        ] {
            assert_eq!(Scope::decode(&s.encode()), Some(s));
        }
        assert_eq!(Scope::decode("nation"), None);
        assert_eq!(
            Scope::for_staff(Role::District, Some("370102")),
            Scope::District("370102".into())
        );
        assert_eq!(Scope::for_staff(Role::Supervisor, None), Scope::City);
        assert_eq!(Scope::for_staff(Role::City, Some("370102")), Scope::City);
    }

    #[test]
    fn a_training_institution_is_its_own_kind_and_no_staff() {
        assert_eq!(Role::parse("training"), Some(Role::Training));
        assert!(!Role::Training.is_staff());
        assert_eq!(Role::Training.account_kind(), AccountKind::Training);
        assert_eq!(AccountKind::parse("training"), Some(AccountKind::Training));
    }
}
