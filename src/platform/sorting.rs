//! How lists are sorted in SQL: each list names its sortable columns in an enum of its own
//! (`SortKey`), so an ORDER BY is only ever built from that fixed set, never from input; an
//! `Order` is such a key and a direction, ended by the list's id so that pages never overlap.

/// The sortable columns of one list.
pub trait SortKey: Copy + Default + PartialEq + 'static {
    /// Every key, the default first.
    const ALL: &'static [Self];

    /// The key as a query spells it (`?sort=`).
    fn as_str(self) -> &'static str;

    /// The columns the key orders by, most significant first (the list's id is added last).
    fn columns(self) -> &'static [&'static str];

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == raw)
    }

    /// Every key as a query spells it, the default first.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|k| k.as_str()).collect()
    }
}

/// A sort key and its direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Order<K> {
    pub key: K,
    pub descending: bool,
}

impl<K: SortKey> Order<K> {
    /// The order a query asks for: a known key (else the default) and its direction.
    pub fn parse(key: &str, descending: bool) -> Order<K> {
        Order {
            key: K::parse(key).unwrap_or_default(),
            descending,
        }
    }

    /// The ORDER BY terms: the key's columns, then `id`, all in the one direction.
    pub fn sql(self, id: &str) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        let columns = self.key.columns().iter().chain([&id]);
        columns.map(|c| format!("{c} {dir}")).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Default, PartialEq, Debug)]
    enum Key {
        #[default]
        Name,
        District,
    }

    impl SortKey for Key {
        const ALL: &'static [Key] = &[Key::Name, Key::District];
        fn as_str(self) -> &'static str {
            match self {
                Key::Name => "name",
                Key::District => "district",
            }
        }
        fn columns(self) -> &'static [&'static str] {
            match self {
                Key::Name => &["e.name"],
                Key::District => &["e.district_code", "e.name"],
            }
        }
    }

    #[test]
    fn an_order_is_built_from_the_keys_columns_only() {
        let order = Order::<Key>::parse("district", true);
        assert_eq!(order.sql("e.id"), "e.district_code DESC, e.name DESC, e.id DESC");
        let unknown = Order::<Key>::parse("password_hash; DROP TABLE staff", false);
        assert_eq!(unknown.key, Key::Name);
        assert_eq!(unknown.sql("e.id"), "e.name ASC, e.id ASC");
        assert_eq!(Key::names(), ["name", "district"]);
    }
}
