//! The fixed lists a certificate is described by: its kind, the special-operations category,
//! where its record came from (origin) and whether it still stands (state). Each has a stable
//! code (stored, and used in the API) and the label the manuals use, which imports accept too.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 安管人员 A/B/C (seed 003) or 特种作业 (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = HolderCertificateKind)]
pub enum Kind {
    /// 企业主要负责人 (A 证)
    SafetyA,
    /// 项目负责人 (B 证)
    SafetyB,
    /// 专职安全生产管理人员 (C 证)
    SafetyC,
    /// 建筑施工特种作业操作资格证, with its operation category
    Special,
}

const KINDS: &[(Kind, &str, &[&str])] = &[
    (
        Kind::SafetyA,
        "safety_a",
        &["A", "A类", "A证", "安管A", "安管A证", "主要负责人"],
    ),
    (
        Kind::SafetyB,
        "safety_b",
        &["B", "B类", "B证", "安管B", "安管B证", "项目负责人"],
    ),
    (
        Kind::SafetyC,
        "safety_c",
        &["C", "C类", "C证", "安管C", "安管C证", "专职安全生产管理人员"],
    ),
    (
        Kind::Special,
        "special",
        &["特种作业", "特种作业人员", "特种作业操作资格证"],
    ),
];

impl Kind {
    pub fn parse(raw: &str) -> Option<Kind> {
        let raw = raw.trim();
        KINDS
            .iter()
            .find(|(_, code, labels)| *code == raw || labels.iter().any(|l| l.eq_ignore_ascii_case(raw)))
            .map(|(kind, ..)| *kind)
    }

    pub fn as_str(self) -> &'static str {
        KINDS.iter().find(|(k, ..)| *k == self).map_or("", |(_, code, _)| code)
    }

    pub fn is_special(self) -> bool {
        self == Kind::Special
    }

    /// Years a certificate of this kind is valid when issued or renewed: three for the
    /// safety-management certificates (建质〔2015〕206号), two for special operations
    /// (建质〔2008〕75号).
    pub fn validity_years(self) -> u32 {
        if self.is_special() {
            2
        } else {
            3
        }
    }

    /// The letter that starts the numbers this system gives: A, B, C, or T (特种作业).
    pub fn number_letter(self) -> char {
        match self {
            Kind::SafetyA => 'A',
            Kind::SafetyB => 'B',
            Kind::SafetyC => 'C',
            Kind::Special => 'T',
        }
    }
}

/// The categories of special operations in construction (建筑施工特种作业, 建质〔2008〕75号):
/// (code, label).
pub const CATEGORIES: &[(&str, &str)] = &[
    ("electrician", "建筑电工"),
    ("scaffolder", "建筑架子工（普通脚手架）"),
    ("scaffolder_attached", "建筑架子工（附着升降脚手架）"),
    ("signaller_rigger", "建筑起重信号司索工"),
    ("tower_crane_driver", "建筑起重机械司机（塔式起重机）"),
    ("hoist_driver", "建筑起重机械司机（施工升降机）"),
    ("material_hoist_driver", "建筑起重机械司机（物料提升机）"),
    ("tower_crane_installer", "建筑起重机械安装拆卸工（塔式起重机）"),
    ("hoist_installer", "建筑起重机械安装拆卸工（施工升降机）"),
    ("material_hoist_installer", "建筑起重机械安装拆卸工（物料提升机）"),
    ("gondola_installer", "高处作业吊篮安装拆卸工"),
];

/// The category's code, from its code or its label (ASCII or full-width brackets).
pub fn parse_category(raw: &str) -> Option<&'static str> {
    let raw = raw.trim().replace('(', "（").replace(')', "）");
    CATEGORIES
        .iter()
        .find(|(code, label)| *code == raw || *label == raw)
        .map(|(code, _)| *code)
}

/// The label of a category code ("" for none).
pub fn category_label(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| label)
}

/// Where a certificate's record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = HolderCertificateOrigin)]
pub enum Origin {
    /// The historical database, imported by staff.
    Imported,
    /// A supplement (证书补录): shown as 新增归档.
    Supplement,
    /// Issued by another province and exchanged here (进赣换证).
    TransferIn,
    /// Issued here.
    Issued,
}

const ORIGINS: &[(Origin, &str, &[&str])] = &[
    (Origin::Imported, "imported", &["", "历史数据", "导入"]),
    (Origin::Supplement, "supplement", &["新增归档", "补录", "证书补录"]),
    (Origin::TransferIn, "transfer_in", &["进赣换证", "外省转入"]),
    (Origin::Issued, "issued", &["本省核发", "核发"]),
];

impl Origin {
    pub fn parse(raw: &str) -> Option<Origin> {
        let raw = raw.trim();
        ORIGINS
            .iter()
            .find(|(_, code, labels)| *code == raw || labels.contains(&raw))
            .map(|(origin, ..)| *origin)
    }

    pub fn as_str(self) -> &'static str {
        ORIGINS
            .iter()
            .find(|(o, ..)| *o == self)
            .map_or("", |(_, code, _)| code)
    }
}

/// Whether the certificate still stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = HolderCertificateState)]
pub enum State {
    Valid,
    /// 注销
    Cancelled,
    /// Replaced by a newer certificate (`replaced_by`).
    Replaced,
}

impl State {
    pub fn parse(raw: &str) -> Option<State> {
        match raw {
            "valid" => Some(State::Valid),
            "cancelled" => Some(State::Cancelled),
            "replaced" => Some(State::Replaced),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            State::Valid => "valid",
            State::Cancelled => "cancelled",
            State::Replaced => "replaced",
        }
    }
}

/// What happened to a certificate (its track, 证书轨迹).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = HolderCertificateEventKind)]
pub enum EventKind {
    Import,
    Issue,
    Change,
    Renewal,
    Cancellation,
    Correction,
}

impl EventKind {
    pub fn parse(raw: &str) -> Option<EventKind> {
        Some(match raw {
            "import" => EventKind::Import,
            "issue" => EventKind::Issue,
            "change" => EventKind::Change,
            "renewal" => EventKind::Renewal,
            "cancellation" => EventKind::Cancellation,
            "correction" => EventKind::Correction,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Import => "import",
            EventKind::Issue => "issue",
            EventKind::Change => "change",
            EventKind::Renewal => "renewal",
            EventKind::Cancellation => "cancellation",
            EventKind::Correction => "correction",
        }
    }
}

crate::text_column!(Kind, Origin, State, EventKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_parse() {
        for kind in [Kind::SafetyA, Kind::SafetyB, Kind::SafetyC, Kind::Special] {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::parse("b类"), Some(Kind::SafetyB));
        assert_eq!(Kind::parse("特种作业"), Some(Kind::Special));
        assert_eq!(Kind::parse("D"), None);
        for (code, label) in CATEGORIES {
            assert_eq!(parse_category(code), Some(*code));
            assert_eq!(parse_category(label), Some(*code));
            assert_eq!(category_label(code), *label);
        }
        assert_eq!(
            parse_category("建筑起重机械司机(塔式起重机)"),
            Some("tower_crane_driver")
        );
        assert_eq!(parse_category("焊工"), None);
        for origin in [Origin::Imported, Origin::Supplement, Origin::TransferIn, Origin::Issued] {
            assert_eq!(Origin::parse(origin.as_str()), Some(origin));
        }
        assert_eq!(Origin::parse(""), Some(Origin::Imported));
        assert_eq!(Origin::parse("进赣换证"), Some(Origin::TransferIn));
        assert_eq!(Origin::parse("其他"), None);
    }
}
