//! The words of the portal's certificate applications and exams pages (journey 7), in Chinese
//! and English. The words of states, outcomes and exam types are the staff pages'
//! (`ExamTexts::word`, `ApplicationTexts::word`).

use crate::platform::error::Lang;

pub struct ExamPortalTexts {
    pub nav_applications: &'static str,
    pub nav_exams: &'static str,
    pub batches_title: &'static str,
    pub batches_note: &'static str,
    pub batch_title: &'static str,
    pub back_to_batches: &'static str,
    pub registration_period: &'static str,
    pub places: &'static str,
    pub candidates: &'static str,
    pub candidates_note: &'static str,
    pub eligible: &'static str,
    pub conditions: &'static str,
    pub register: &'static str,
    pub registered_done: &'static str,
    pub registrations: &'static str,
    pub no_batches: &'static str,
    pub no_candidates: &'static str,
    pub no_registrations: &'static str,
}

impl ExamPortalTexts {
    pub fn of(lang: Lang) -> &'static ExamPortalTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

pub const ZH: ExamPortalTexts = ExamPortalTexts {
    nav_applications: "证书业务",
    nav_exams: "考试报名",
    batches_title: "考试批次",
    batches_note: "本区县发布的考试批次。打开批次，可查看本企业每名员工是否符合报名条件及不符合的原因，并为其报名。",
    batch_title: "考试批次",
    back_to_batches: "返回考试批次",
    registration_period: "报名时间",
    places: "已报名 / 名额",
    candidates: "本企业员工",
    candidates_note: "每名员工按本批次的报名条件逐项检查；不符合的条件逐条列出，须先办理后才能报名。",
    eligible: "符合条件",
    conditions: "报名条件",
    register: "报名",
    registered_done: "已报名，等待主管部门审核。",
    registrations: "本批次的报名",
    no_batches: "本区县暂无考试批次。",
    no_candidates: "本企业暂无在职员工。",
    no_registrations: "本企业在本批次尚无报名。",
};

pub const EN: ExamPortalTexts = ExamPortalTexts {
    nav_applications: "Certificate services",
    nav_exams: "Exams",
    batches_title: "Exam batches",
    batches_note: "The exam batches published in the enterprise's district. Open one to see whether each employee may register, every failing condition named, and register them.",
    batch_title: "Exam batch",
    back_to_batches: "Back to the exam batches",
    registration_period: "Registration",
    places: "Registered / places",
    candidates: "Employees",
    candidates_note: "Each employee is checked against the batch's conditions; each one failed is listed and must be settled before registering.",
    eligible: "May register",
    conditions: "Conditions",
    register: "Register",
    registered_done: "Registered; the authority reviews the registration.",
    registrations: "Registrations for this batch",
    no_batches: "No exam batch in the district yet.",
    no_candidates: "The enterprise has no current employee.",
    no_registrations: "No registration of the enterprise for this batch yet.",
};
