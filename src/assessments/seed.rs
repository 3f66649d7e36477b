//! The first version of each template, published at start-up when a kind has none.
//!
//! Sources. Seed 001 (Qingdao) names the ten project items exactly and three of the eleven
//! general-conditions items (安全生产管理制度, 安全生产责任制 — printed truncated as
//! "安全生产头" — and 安全生产管理机构设置). The rest of the general-conditions items and all
//! seven safety-director items come from the Qingdao "三项考核工作指南（试行）", which we do not
//! have; they are reconstructed from the conditions of 《建筑施工企业安全生产许可证管理规定》
//! (Art. 4) and the safety-director duties, and flagged `reconstructed` so that city staff know
//! to replace them with the guide's wording by publishing a new version. The project maxima are
//! the weights of JGJ 59-2011's summary table. The Jinan licence template follows seed 000: the
//! scored conditions, item 09 (the people lists) and item 10 (the attachment list, whose first
//! entry the seed names).

use super::rules::{ItemKind, TemplateKind};

pub struct SeedItem {
    pub number: &'static str,
    pub kind: ItemKind,
    pub title: &'static str,
    pub standard: &'static str,
    pub max_score: Option<f64>,
    pub evidence_required: bool,
    pub slots: &'static [&'static str],
    pub reconstructed: bool,
}

pub struct SeedTemplate {
    pub kind: TemplateKind,
    pub name: &'static str,
    pub items: &'static [SeedItem],
}

const fn scored(
    number: &'static str,
    title: &'static str,
    standard: &'static str,
    max: f64,
    reconstructed: bool,
) -> SeedItem {
    SeedItem {
        number,
        kind: ItemKind::Scored,
        title,
        standard,
        max_score: Some(max),
        evidence_required: true,
        slots: &[],
        reconstructed,
    }
}

const GENERAL_CONDITIONS: &[SeedItem] = &[
    scored(
        "1",
        "安全生产管理制度",
        "制定完备的安全生产规章制度和操作规程，以红头盖章文件发布并组织执行",
        10.0,
        false,
    ),
    scored(
        "2",
        "安全生产责任制",
        "建立健全全员安全生产责任制，明确各层级、各岗位的安全生产责任并考核落实",
        10.0,
        false,
    ),
    scored(
        "3",
        "安全生产管理机构设置",
        "设置安全生产管理机构，按规定配备专职安全生产管理人员",
        10.0,
        false,
    ),
    scored(
        "4",
        "安全生产投入",
        "保证安全生产条件所需资金投入，安全生产费用按规定提取和使用",
        10.0,
        true,
    ),
    scored(
        "5",
        "三类人员考核",
        "主要负责人、项目负责人、专职安全生产管理人员经住房城乡建设主管部门考核合格",
        10.0,
        true,
    ),
    scored(
        "6",
        "特种作业人员",
        "特种作业人员经有关业务主管部门考核合格，取得特种作业操作资格证书",
        10.0,
        true,
    ),
    scored(
        "7",
        "安全生产教育培训",
        "管理人员和作业人员每年至少进行一次安全生产教育培训并考核合格",
        8.0,
        true,
    ),
    scored("8", "工伤保险", "依法参加工伤保险，为从业人员交纳保险费", 8.0, true),
    scored(
        "9",
        "施工设备与安全防护",
        "作业场所、安全防护用具、机械设备、施工机具及配件符合安全生产法律法规、标准和规程",
        8.0,
        true,
    ),
    scored(
        "10",
        "危险性较大的分部分项工程管理",
        "对危大工程及易发生重大事故的部位、环节有预防、监控措施和应急预案",
        8.0,
        true,
    ),
    scored(
        "11",
        "应急救援",
        "有生产安全事故应急救援预案、应急救援组织或人员，配备必要的应急救援器材、设备",
        8.0,
        true,
    ),
];

const SAFETY_DIRECTOR: &[SeedItem] = &[
    scored(
        "1",
        "安全生产总监配备",
        "按规定设置安全生产总监并正式任命，人员在岗履职",
        15.0,
        true,
    ),
    scored(
        "2",
        "任职资格与培训",
        "安全生产总监具备相应安全生产考核合格证书并按规定参加培训",
        10.0,
        true,
    ),
    scored(
        "3",
        "安全管理制度组织制定",
        "组织制定并督促落实企业安全生产规章制度和操作规程",
        15.0,
        true,
    ),
    scored(
        "4",
        "安全检查与隐患排查治理",
        "组织开展安全生产检查，督促隐患排查治理并闭环销号",
        20.0,
        true,
    ),
    scored(
        "5",
        "教育培训组织",
        "组织安全生产教育培训，如实记录培训情况",
        15.0,
        true,
    ),
    scored("6", "安全生产投入监督", "监督安全生产费用的提取和使用", 10.0, true),
    scored(
        "7",
        "事故报告与应急处置",
        "组织应急演练，按规定报告生产安全事故并参与处置",
        15.0,
        true,
    ),
];

const PROJECT: &[SeedItem] = &[
    scored("1", "安全管理", "按 JGJ 59-2011 安全管理检查评分表评分", 10.0, false),
    scored("2", "文明施工", "按 JGJ 59-2011 文明施工检查评分表评分", 15.0, false),
    scored("3", "脚手架", "按 JGJ 59-2011 脚手架检查评分表评分", 10.0, false),
    scored("4", "基坑工程", "按 JGJ 59-2011 基坑工程检查评分表评分", 10.0, false),
    scored("5", "模板支架", "按 JGJ 59-2011 模板支架检查评分表评分", 10.0, false),
    scored("6", "高处作业", "按 JGJ 59-2011 高处作业检查评分表评分", 10.0, false),
    scored("7", "施工用电", "按 JGJ 59-2011 施工用电检查评分表评分", 10.0, false),
    scored(
        "8",
        "物料提升机与施工升降机",
        "按 JGJ 59-2011 物料提升机、施工升降机检查评分表评分",
        10.0,
        false,
    ),
    scored(
        "9",
        "塔式起重机与起重吊装",
        "按 JGJ 59-2011 塔式起重机、起重吊装检查评分表评分",
        10.0,
        false,
    ),
    scored("10", "施工机具", "按 JGJ 59-2011 施工机具检查评分表评分", 5.0, false),
];

const PEOPLE_ROLES: &[&str] = &[
    "enterprise_principal",
    "project_leader",
    "special_operations",
    "safety_manager",
];

const LICENCE_ATTACHMENTS: &[&str] = &[
    "本企业部门设置及管理人员花名册",
    "安全生产责任制文件",
    "安全生产规章制度和操作规程",
    "安全生产费用提取和使用凭证",
    "工伤保险缴费凭证",
    "生产安全事故应急救援预案",
];

const LICENCE_DYNAMIC: &[SeedItem] = &[
    scored(
        "01",
        "安全生产责任制与规章制度",
        "建立健全安全生产责任制，制定完备的安全生产规章制度和操作规程",
        15.0,
        true,
    ),
    scored("02", "安全生产投入", "保证本单位安全生产条件所需资金的投入", 15.0, true),
    scored(
        "03",
        "安全生产管理机构和人员",
        "设置安全生产管理机构，按规定配备专职安全生产管理人员",
        15.0,
        true,
    ),
    scored(
        "04",
        "三类人员考核",
        "主要负责人、项目负责人、专职安全生产管理人员考核合格",
        10.0,
        true,
    ),
    scored(
        "05",
        "特种作业人员持证",
        "特种作业人员取得特种作业操作资格证书",
        10.0,
        true,
    ),
    scored(
        "06",
        "教育培训",
        "管理人员和作业人员每年至少一次安全生产教育培训并考核合格",
        10.0,
        true,
    ),
    scored("07", "工伤保险", "依法参加工伤保险，为从业人员交纳保险费", 10.0, true),
    scored(
        "08",
        "应急救援",
        "有应急救援预案、组织或人员和必要的器材设备",
        15.0,
        true,
    ),
    SeedItem {
        number: "09",
        kind: ItemKind::People,
        title: "人员信息",
        standard: "填报企业负责人、项目负责人、特种作业人员、专职安全生产管理人员及其证书信息，并上传证书扫描件",
        max_score: None,
        evidence_required: true,
        slots: PEOPLE_ROLES,
        reconstructed: false,
    },
    SeedItem {
        number: "10",
        kind: ItemKind::Attachments,
        title: "附件列表",
        standard: "逐项上传附件；企业机构设置、安全规章制度等文件须为红头盖章文件，均以 PDF 上传",
        max_score: None,
        evidence_required: true,
        slots: LICENCE_ATTACHMENTS,
        reconstructed: true,
    },
];

pub const TEMPLATES: &[SeedTemplate] = &[
    SeedTemplate {
        kind: TemplateKind::GeneralConditions,
        name: "企业一般安全生产条件动态考核",
        items: GENERAL_CONDITIONS,
    },
    SeedTemplate {
        kind: TemplateKind::SafetyDirector,
        name: "安全生产总监专项考核",
        items: SAFETY_DIRECTOR,
    },
    SeedTemplate {
        kind: TemplateKind::Project,
        name: "项目安全生产条件考核",
        items: PROJECT,
    },
    SeedTemplate {
        kind: TemplateKind::LicenceDynamic,
        name: "安全生产许可证动态考核",
        items: LICENCE_DYNAMIC,
    },
];

#[cfg(test)]
mod tests {
    use super::super::rules::PersonRole;
    use super::*;

    #[test]
    fn the_seeds_have_the_manuals_item_counts_and_valid_roles() {
        let count = |kind| TEMPLATES.iter().find(|t| t.kind == kind).unwrap().items.len();
        assert_eq!(count(TemplateKind::GeneralConditions), 11);
        assert_eq!(count(TemplateKind::SafetyDirector), 7);
        assert_eq!(count(TemplateKind::Project), 10);
        for role in PEOPLE_ROLES {
            assert!(PersonRole::parse(role).is_some());
        }
        for t in TEMPLATES {
            let max: f64 = t.items.iter().filter_map(|i| i.max_score).sum();
            assert_eq!(max, 100.0, "{}", t.name);
        }
    }
}
