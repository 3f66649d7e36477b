//! Sign-in and authorization: accounts of three kinds (staff, enterprise, person), access
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

use crate::platform::ids::{EnterpriseId, PersonId};

pub use accounts::Accounts;
pub use bounds::{Bounds, Columns, Key};
pub use caller::Caller;

/// What a caller is allowed to be. Staff roles follow DOMAIN.md: the city station (`city`),
/// district authorities (`district`, bound to a district code), site supervisors
/// (`supervisor`) and system administrators (`sysadmin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Person,
    Enterprise,
    City,
    District,
    Supervisor,
    Sysadmin,
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
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Person | Role::Enterprise)
    }

    pub fn account_kind(self) -> AccountKind {
        match self {
            Role::Person => AccountKind::Person,
            Role::Enterprise => AccountKind::Enterprise,
            _ => AccountKind::Staff,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    Staff,
    Enterprise,
    Person,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Staff => "staff",
            AccountKind::Enterprise => "enterprise",
            AccountKind::Person => "person",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        [AccountKind::Staff, AccountKind::Enterprise, AccountKind::Person]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Which objects a caller may see: its own person record, its own enterprise, one district,
/// or the whole city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Person(PersonId),
    Enterprise(EnterpriseId),
    District(String),
    City,
}

impl Scope {
    /// The compact form carried in tokens: `person:<id>`, `enterprise:<id>`, `district:<code>`,
    /// `city`.
    pub fn encode(&self) -> String {
        match self {
            Scope::Person(id) => format!("person:{id}"),
            Scope::Enterprise(id) => format!("enterprise:{id}"),
            Scope::District(code) => format!("district:{code}"),
            Scope::City => "city".into(),
        }
    }

    pub fn decode(s: &str) -> Option<Scope> {
        match s.split_once(':') {
            Some(("person", id)) => Some(Scope::Person(id.into())),
            Some(("enterprise", id)) => Some(Scope::Enterprise(id.into())),
            Some(("district", code)) => Some(Scope::District(code.into())),
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
}
