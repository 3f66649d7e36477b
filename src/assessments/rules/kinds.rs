//! What templates are made of: the four template kinds, the kinds of item, and the roles of the
//! people lists.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The four assessment templates of the manuals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// 企业一般安全生产条件动态考核 (enterprise self-assessment)
    GeneralConditions,
    /// 安全生产总监专项考核 (enterprise self-assessment)
    SafetyDirector,
    /// 项目安全生产条件考核 (filled by a supervisor)
    Project,
    /// 安许证动态考核, Jinan (enterprise self-assessment)
    LicenceDynamic,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 4] = [
        TemplateKind::GeneralConditions,
        TemplateKind::SafetyDirector,
        TemplateKind::Project,
        TemplateKind::LicenceDynamic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::GeneralConditions => "general_conditions",
            TemplateKind::SafetyDirector => "safety_director",
            TemplateKind::Project => "project",
            TemplateKind::LicenceDynamic => "licence_dynamic",
        }
    }

    pub fn parse(s: &str) -> Option<TemplateKind> {
        TemplateKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The template's name, as notices and inboxes show it.
    pub fn title(self) -> &'static str {
        match self {
            TemplateKind::GeneralConditions => "企业一般安全生产条件动态考核",
            TemplateKind::SafetyDirector => "安全生产总监专项考核",
            TemplateKind::Project => "项目安全生产条件考核",
            TemplateKind::LicenceDynamic => "安全生产许可证动态考核",
        }
    }

    /// The name of a stored kind (the kind itself when it is none of these).
    pub fn name_of(kind: &str) -> String {
        TemplateKind::parse(kind).map_or_else(|| kind.to_owned(), |k| k.title().to_owned())
    }

    /// Whether enterprises fill this template themselves (the project one is a supervisor's).
    pub fn is_self_assessment(self) -> bool {
        self != TemplateKind::Project
    }
}

/// What an item asks for: a self-score, a list of people, or a list of named attachments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Scored,
    People,
    Attachments,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Scored => "scored",
            ItemKind::People => "people",
            ItemKind::Attachments => "attachments",
        }
    }

    pub fn parse(s: &str) -> Option<ItemKind> {
        [ItemKind::Scored, ItemKind::People, ItemKind::Attachments]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The people lists of the Jinan licence assessment (seed 000 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// 企业负责人
    EnterprisePrincipal,
    /// 项目负责人
    ProjectLeader,
    /// 特种作业人员
    SpecialOperations,
    /// 专职安全生产管理人员
    SafetyManager,
}

impl PersonRole {
    pub const ALL: [PersonRole; 4] = [
        PersonRole::EnterprisePrincipal,
        PersonRole::ProjectLeader,
        PersonRole::SpecialOperations,
        PersonRole::SafetyManager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PersonRole::EnterprisePrincipal => "enterprise_principal",
            PersonRole::ProjectLeader => "project_leader",
            PersonRole::SpecialOperations => "special_operations",
            PersonRole::SafetyManager => "safety_manager",
        }
    }

    pub fn parse(s: &str) -> Option<PersonRole> {
        PersonRole::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
