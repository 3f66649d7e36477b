//! `Bounds`: the records a caller may reach, turned into SQL for every domain in one place.
//!
//! A handler takes `caller.bounds()` and hands it to a store; stores never see the `Caller`.
//! A store names where its records keep each bound (`Columns`), puts
//! `bounds.condition(&COLUMNS, n)` into its `WHERE` with `n` the query's last placeholder, and
//! binds it after the query's own values with `condition.bind(query)`. The SQL text and its
//! value come from the same place, so a misnumbered bind cannot widen a scope.
//!
//! What each kind of caller reaches:
//! - city staff and system administrators: every record;
//! - district staff: the records of their district;
//! - a supervisor: their own records where a domain records the staff account that owns a
//!   record (signed forms, project assessments); elsewhere, what district staff of their
//!   district reach (or the city, for a supervisor bound to no district);
//! - an enterprise: its own records;
//! - a person: their own records;
//! - a training institution: the records it entered, where a domain keeps who entered them
//!   (continuing education); nothing anywhere else.
//!
//! A bound a domain keeps no column for matches nothing, never everything: a person reading
//! enterprise records, district staff reading records that have no district.

use std::fmt;

use crate::platform::ids::{EnterpriseId, PersonId, StaffId, TrainingInstitutionId};

/// Which records a caller may reach (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bounds {
    /// City staff and system administrators: every record.
    City,
    /// District staff: the records of one district.
    District(String),
    /// A site supervisor: the records they own; elsewhere their district (`None`: the city).
    Supervisor { account: StaffId, district: Option<String> },
    /// An enterprise: its own records.
    Enterprise(EnterpriseId),
    /// A person: their own records.
    Person(PersonId),
    /// A training institution: the records it entered.
    Training(TrainingInstitutionId),
}

/// Where a domain keeps one bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A column compared with the bound: `column = $n`.
    Column(&'static str),
    /// A condition of the domain's own in which every `{}` stands for the bound's placeholder:
    /// for records owned by several kinds of account, a district reached through a link, or a
    /// bound that reaches only some states of a record.
    Condition(&'static str),
}

impl Key {
    fn test(self, placeholder: usize) -> String {
        match self {
            Key::Column(column) => format!("{column} = ${placeholder}"),
            Key::Condition(condition) => format!("({})", condition.replace("{}", &format!("${placeholder}"))),
        }
    }
}

/// Where a domain's records keep each bound; `None` where they keep none, so that such a
/// caller matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    /// The person a record is about (persons see theirs).
    pub person: Option<Key>,
    /// The enterprise a record belongs to (enterprises see theirs).
    pub enterprise: Option<Key>,
    /// The district a record lies in (district staff see theirs).
    pub district: Option<Key>,
    /// The staff account that owns a record. Where a domain has one, supervisors see only their
    /// own records; where it has none, supervisors are bounded by their district.
    pub owner: Option<Key>,
    /// The training institution that entered a record (institutions see theirs).
    pub training: Option<Key>,
}

impl Columns {
    /// No bound kept: start from it with `..Columns::NONE`.
    pub const NONE: Columns = Columns {
        person: None,
        enterprise: None,
        district: None,
        owner: None,
        training: None,
    };
}

/// The SQL condition of some bounds over some columns, with the value it binds. It displays
/// as its SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    sql: String,
    value: Option<String>,
}

const EVERYTHING: &str = "1 = 1";
const NOTHING: &str = "1 = 0";

impl Condition {
    fn everything() -> Condition {
        Condition {
            sql: EVERYTHING.into(),
            value: None,
        }
    }

    fn nothing() -> Condition {
        Condition {
            sql: NOTHING.into(),
            value: None,
        }
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The value bound to the condition's placeholder, if it has one.
    pub fn value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// Binds the condition's value, after every value of the query's own.
    pub fn bind<'q, Q: Bind<'q>>(&'q self, query: Q) -> Q {
        match &self.value {
            Some(value) => query.bind_text(value),
            None => query,
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sql)
    }
}

impl Bounds {
    /// The condition confining records keyed by `columns` to these bounds. `placeholder` is
    /// the number of its placeholder (`$placeholder`), which must be the query's last: the
    /// condition binds at most one value, after all the others.
    pub fn condition(&self, columns: &Columns, placeholder: usize) -> Condition {
        let (key, value) = match self {
            Bounds::City => return Condition::everything(),
            Bounds::District(code) => (columns.district, code.as_str()),
            Bounds::Enterprise(id) => (columns.enterprise, id.as_str()),
            Bounds::Person(id) => (columns.person, id.as_str()),
            Bounds::Training(id) => (columns.training, id.as_str()),
            Bounds::Supervisor { account, district } => match (columns.owner, district) {
                (Some(owner), _) => (Some(owner), account.as_str()),
                (None, Some(code)) => (columns.district, code.as_str()),
                (None, None) => return Condition::everything(),
            },
        };
        match key {
            Some(key) => Condition {
                sql: key.test(placeholder),
                value: Some(value.to_owned()),
            },
            None => Condition::nothing(),
        }
    }
}

/// A query a text value can be bound to (the three query builders of `sqlx::Any`).
pub trait Bind<'q>: Sized {
    fn bind_text(self, value: &'q str) -> Self;
}

impl<'q> Bind<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_text(self, value: &'q str) -> Self {
        self.bind(value)
    }
}

impl<'q, O> Bind<'q> for sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    fn bind_text(self, value: &'q str) -> Self {
        self.bind(value)
    }
}

impl<'q, O> Bind<'q> for sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    fn bind_text(self, value: &'q str) -> Self {
        self.bind(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Caller, Channel, Role, Scope};

    fn caller(role: Role, scope: Scope) -> Caller {
        Caller {
            account_id: "acct".into(),
            role,
            scope,
            channel: Channel::Web,
        }
    }

    /// Every kind of caller, as its token makes it.
    fn callers() -> Vec<(&'static str, Bounds)> {
        let district = || Scope::District("370202".into());
        vec![
            ("city", caller(Role::City, Scope::City).bounds()),
            ("sysadmin", caller(Role::Sysadmin, Scope::City).bounds()),
            ("district", caller(Role::District, district()).bounds()),
            ("supervisor", caller(Role::Supervisor, district()).bounds()),
            ("city supervisor", caller(Role::Supervisor, Scope::City).bounds()),
            (
                "enterprise",
                caller(Role::Enterprise, Scope::Enterprise("ent".into())).bounds(),
            ),
            ("person", caller(Role::Person, Scope::Person("per".into())).bounds()),
            (
                "training",
                caller(Role::Training, Scope::Training("trn".into())).bounds(),
            ),
        ]
    }

    const ALL: Columns = Columns {
        person: Some(Key::Column("x.person_id")),
        enterprise: Some(Key::Column("x.enterprise_id")),
        district: Some(Key::Column("e.district_code")),
        owner: Some(Key::Column("x.owner_id")),
        training: Some(Key::Column("x.institution_id")),
    };

    #[test]
    fn callers_map_to_bounds() {
        let bounds: Vec<Bounds> = callers().into_iter().map(|(_, b)| b).collect();
        assert_eq!(
            bounds,
            vec![
                Bounds::City,
                Bounds::City,
                Bounds::District("370202".into()),
                Bounds::Supervisor {
                    account: "acct".into(),
                    district: Some("370202".into())
                },
                Bounds::Supervisor {
                    account: "acct".into(),
                    district: None
                },
                Bounds::Enterprise("ent".into()),
                Bounds::Person("per".into()),
                Bounds::Training("trn".into()),
            ]
        );
        // A supervisor's token always carries a staff scope; were it another, the scope rules.
        assert_eq!(
            caller(Role::Supervisor, Scope::Enterprise("ent".into())).bounds(),
            Bounds::Enterprise("ent".into())
        );
    }

    #[test]
    fn every_column_present() {
        let got: Vec<(String, Option<String>)> = callers()
            .into_iter()
            .map(|(_, b)| {
                let c = b.condition(&ALL, 3);
                (c.to_string(), c.value().map(str::to_owned))
            })
            .collect();
        let row = |sql: &str, value: Option<&str>| (sql.to_owned(), value.map(str::to_owned));
        assert_eq!(
            got,
            vec![
                row("1 = 1", None),
                row("1 = 1", None),
                row("e.district_code = $3", Some("370202")),
                // Where owners are kept, a supervisor sees only their own, not the district.
                row("x.owner_id = $3", Some("acct")),
                row("x.owner_id = $3", Some("acct")),
                row("x.enterprise_id = $3", Some("ent")),
                row("x.person_id = $3", Some("per")),
                row("x.institution_id = $3", Some("trn")),
            ]
        );
    }

    #[test]
    fn a_bound_without_its_column_matches_nothing() {
        let cases = [
            ("district", Columns { district: None, ..ALL }),
            (
                "supervisor",
                Columns {
                    owner: None,
                    district: None,
                    ..ALL
                },
            ),
            (
                "enterprise",
                Columns {
                    enterprise: None,
                    ..ALL
                },
            ),
            ("person", Columns { person: None, ..ALL }),
            ("training", Columns { training: None, ..ALL }),
        ];
        for (who, columns) in cases {
            let bounds = callers().into_iter().find(|(name, _)| *name == who).unwrap().1;
            let c = bounds.condition(&columns, 2);
            assert_eq!((c.sql(), c.value()), ("1 = 0", None), "{who}");
        }
        // Nothing kept at all: only the city reaches anything.
        for (who, bounds) in callers() {
            let c = bounds.condition(&Columns::NONE, 1);
            let expected = if matches!(who, "city" | "sysadmin" | "city supervisor") {
                "1 = 1"
            } else {
                "1 = 0"
            };
            assert_eq!(c.sql(), expected, "{who}");
        }
    }

    #[test]
    fn without_owners_a_supervisor_is_bounded_by_their_district() {
        let columns = Columns { owner: None, ..ALL };
        let district = caller(Role::Supervisor, Scope::District("370202".into())).bounds();
        let c = district.condition(&columns, 4);
        assert_eq!((c.sql(), c.value()), ("e.district_code = $4", Some("370202")));
        let city = caller(Role::Supervisor, Scope::City).bounds();
        assert_eq!(city.condition(&columns, 4).sql(), "1 = 1");
        // The other callers are unaffected by the owner column.
        for (who, bounds) in callers() {
            if !who.contains("supervisor") {
                assert_eq!(bounds.condition(&columns, 4), bounds.condition(&ALL, 4), "{who}");
            }
        }
    }

    #[test]
    fn conditions_place_the_placeholder_everywhere() {
        let columns = Columns {
            district: Some(Key::Condition(
                "e.district_code = {} OR d.id IN (SELECT id FROM forms WHERE district_code = {})",
            )),
            ..Columns::NONE
        };
        let c = Bounds::District("370202".into()).condition(&columns, 5);
        assert_eq!(
            c.sql(),
            "(e.district_code = $5 OR d.id IN (SELECT id FROM forms WHERE district_code = $5))"
        );
        assert_eq!(c.value(), Some("370202"));
    }

    /// The conditions against real rows: each caller reaches exactly its records.
    #[tokio::test]
    async fn conditions_select_the_right_rows() {
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::query("CREATE TABLE r (id TEXT, person_id TEXT, enterprise_id TEXT, district_code TEXT, owner_id TEXT, institution_id TEXT)")
            .execute(&db)
            .await
            .unwrap();
        for row in [
            "('mine', 'per', 'ent', '370202', 'acct', 'trn')",
            "('same district', 'p2', 'e2', '370202', 's2', 't2')",
            "('elsewhere', 'p3', 'e3', '370211', 's3', 't3')",
            "('no district', 'p4', 'e4', NULL, NULL, NULL)",
        ] {
            sqlx::query(&format!("INSERT INTO r VALUES {row}"))
                .execute(&db)
                .await
                .unwrap();
        }
        let columns = Columns {
            person: Some(Key::Column("person_id")),
            enterprise: Some(Key::Column("enterprise_id")),
            district: Some(Key::Column("district_code")),
            owner: None,
            training: Some(Key::Column("institution_id")),
        };
        let with_owner = Columns {
            owner: Some(Key::Column("owner_id")),
            ..columns
        };
        let select = |bounds: Bounds, columns: Columns| {
            let db = db.clone();
            async move {
                let c = bounds.condition(&columns, 2);
                let ids: Vec<String> = c
                    .bind(sqlx::query_scalar(&format!("SELECT id FROM r WHERE id <> $1 AND {c} ORDER BY id")).bind(""))
                    .fetch_all(&db)
                    .await
                    .unwrap();
                ids
            }
        };
        let everything = vec!["elsewhere", "mine", "no district", "same district"];
        let district = vec!["mine", "same district"];
        for (who, bounds) in callers() {
            let expected: Vec<&str> = match who {
                "city" | "sysadmin" | "city supervisor" => everything.clone(),
                "district" | "supervisor" => district.clone(),
                _ => vec!["mine"],
            };
            assert_eq!(select(bounds.clone(), columns).await, expected, "{who}");
            let expected = if who.contains("supervisor") {
                vec!["mine"]
            } else {
                expected
            };
            assert_eq!(select(bounds.clone(), with_owner).await, expected, "{who} with owners");
            let nothing: Vec<String> = Vec::new();
            if who != "city" && who != "sysadmin" && who != "city supervisor" {
                assert_eq!(select(bounds, Columns::NONE).await, nothing, "{who} without columns");
            }
        }
    }
}
