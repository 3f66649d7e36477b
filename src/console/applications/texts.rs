//! The words of the application pages, in Chinese and English.

use crate::platform::error::Lang;

pub struct ApplicationTexts {
    zh: bool,
    pub list_title: &'static str,
    pub waiting_for: &'static str,
    pub state: &'static str,
    pub any: &'static str,
    pub filter: &'static str,
    pub service: &'static str,
    pub applicant: &'static str,
    pub id_number: &'static str,
    pub certificate_number: &'static str,
    pub enterprise: &'static str,
    pub district: &'static str,
    pub updated: &'static str,
    pub none_found: &'static str,
    pub back_to_list: &'static str,
    pub created: &'static str,
    pub steps: &'static str,
    pub asks: &'static str,
    pub from_enterprise: &'static str,
    pub at_the_desk: &'static str,
    pub reason: &'static str,
    pub certificate: &'static str,
    pub validity: &'static str,
    pub new_enterprise: &'static str,
    pub certificates: &'static str,
    pub yes: &'static str,
    pub scan: &'static str,
    pub preview: &'static str,
    pub no_scan: &'static str,
    pub decide: &'static str,
    pub decide_hint: &'static str,
    pub approve: &'static str,
    pub refuse: &'static str,
    pub opinion: &'static str,
    pub original_checked: &'static str,
    pub send: &'static str,
    pub history: &'static str,
    pub action: &'static str,
    pub step: &'static str,
    pub actor: &'static str,
    pub checked: &'static str,
    pub at: &'static str,
    pub done: &'static str,
    pub enterprise_note: &'static str,
    pub confirm_title: &'static str,
    pub confirm_hint: &'static str,
    pub confirm: &'static str,
}

impl ApplicationTexts {
    pub fn of(lang: Lang) -> &'static ApplicationTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// A service's name, from the API's (zh, en) label.
    pub fn service(&self, label: (&'static str, &'static str)) -> &'static str {
        if self.zh {
            label.0
        } else {
            label.1
        }
    }

    /// A state, step, action or actor, as the API spells them.
    pub fn word(&self, code: &str) -> &'static str {
        let (zh_word, en_word) = match code {
            "in_progress" => ("办理中", "in progress"),
            "approved" => ("已办结", "approved"),
            "refused" => ("不予办理", "refused"),
            "withdrawn" => ("已撤回", "withdrawn"),
            "enterprise" => ("企业确认", "the enterprise"),
            "district" => ("区（市）受理", "the district desk"),
            "city" => ("市级审批", "the city"),
            "submitted" => ("提交", "submitted"),
            "confirmed" => ("企业确认", "confirmed"),
            "declined" => ("企业不同意", "declined"),
            "accepted" => ("受理", "accepted"),
            "person" => ("申请人", "applicant"),
            "staff" => ("工作人员", "staff"),
            _ => ("", ""),
        };
        if self.zh {
            zh_word
        } else {
            en_word
        }
    }
}

pub const ZH: ApplicationTexts = ApplicationTexts {
    zh: true,
    list_title: "证书业务办件",
    waiting_for: "当前环节",
    state: "状态",
    any: "全部",
    filter: "筛选",
    service: "业务",
    applicant: "申请人",
    id_number: "身份证号",
    certificate_number: "证书编号",
    enterprise: "企业",
    district: "行政区",
    updated: "更新时间",
    none_found: "没有符合条件的办件。",
    back_to_list: "返回办件列表",
    created: "申请时间",
    steps: "审批流程",
    asks: "申请事项",
    from_enterprise: "原执业企业",
    at_the_desk: "窗口核验证明材料",
    reason: "注销原因",
    certificate: "证书",
    validity: "有效期",
    new_enterprise: "企业新名称",
    certificates: "涉及证书数",
    yes: "是",
    scan: "证书原件扫描件或证明材料",
    preview: "材料预览",
    no_scan: "此办件无扫描件。",
    decide: "办理",
    decide_hint: "同意：受理并转下一环节，或在最后环节审批办结；不同意须填写意见。补录、纠错及窗口核验的变更，须先在窗口核验原件。",
    approve: "同意",
    refuse: "不同意",
    opinion: "意见",
    original_checked: "已在窗口核验证书原件（或证明材料）",
    send: "提交办理结果",
    history: "办理记录",
    action: "操作",
    step: "环节",
    actor: "办理人",
    checked: "核验原件",
    at: "时间",
    done: "已提交办理结果。",
    enterprise_note: "本企业人员的证书业务。“待企业确认”的业务请核对后确认或不同意；不同意须填写意见。",
    confirm_title: "企业确认",
    confirm_hint: "确认后业务转至主管部门办理；不同意则业务结束，须填写意见，申请人将收到通知。",
    confirm: "确认",
};

pub const EN: ApplicationTexts = ApplicationTexts {
    zh: false,
    list_title: "Certificate applications",
    waiting_for: "Waiting for",
    state: "State",
    any: "Any",
    filter: "Filter",
    service: "Service",
    applicant: "Applicant",
    id_number: "ID number",
    certificate_number: "Certificate",
    enterprise: "Enterprise",
    district: "District",
    updated: "Updated",
    none_found: "No application matches.",
    back_to_list: "Back to the applications",
    created: "Applied",
    steps: "Approval chain",
    asks: "What it asks for",
    from_enterprise: "Former employer",
    at_the_desk: "Proof checked at the desk",
    reason: "Reason",
    certificate: "Certificate",
    validity: "Valid",
    new_enterprise: "New enterprise name",
    certificates: "Certificates",
    yes: "yes",
    scan: "Scan of the original, or the proof",
    preview: "Preview",
    no_scan: "This application has no scan.",
    decide: "Decide",
    decide_hint: "Approve: accept and pass it on, or approve it at the last step; a refusal needs an opinion. Supplements, corrections and desk-checked employer changes need the original checked at the desk first.",
    approve: "Approve",
    refuse: "Refuse",
    opinion: "Opinion",
    original_checked: "The original certificate (or the proof) was checked at the desk",
    send: "Send the decision",
    history: "History",
    action: "Action",
    step: "Step",
    actor: "By",
    checked: "Original checked",
    at: "When",
    done: "The decision is recorded.",
    enterprise_note: "Certificate services of the enterprise's people. Those waiting for the enterprise: check them, then confirm or refuse; a refusal needs an opinion.",
    confirm_title: "The enterprise's confirmation",
    confirm_hint: "Confirmed, the application goes on to the authority; refused, it ends, with your opinion for the applicant.",
    confirm: "Confirm",
};
