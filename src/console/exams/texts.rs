//! The words of the exam registration pages, in Chinese and English.

use crate::platform::error::Lang;

pub struct ExamTexts {
    zh: bool,
    pub list_title: &'static str,
    pub batch: &'static str,
    pub batch_hint: &'static str,
    pub filter: &'static str,
    pub person: &'static str,
    pub id_number: &'static str,
    pub enterprise: &'static str,
    pub exam_type: &'static str,
    pub exam_on: &'static str,
    pub state: &'static str,
    pub outcome: &'static str,
    pub registered_at: &'static str,
    pub opinion: &'static str,
    pub none_found: &'static str,
    pub back_to_list: &'static str,
    pub review: &'static str,
    pub review_hint: &'static str,
    pub approve: &'static str,
    pub reject: &'static str,
    pub done: &'static str,
}

impl ExamTexts {
    pub fn of(lang: Lang) -> &'static ExamTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// A registration's state or outcome, as the API spells them.
    pub fn word(&self, code: &str) -> &'static str {
        let (zh_word, en_word) = match code {
            "submitted" => ("待审核", "submitted"),
            "approved" => ("已通过", "approved"),
            "rejected" => ("已退回", "rejected"),
            "absent" => ("缺考", "absent"),
            "cheating" => ("作弊", "cheating"),
            "failed" => ("不合格", "failed"),
            "passed" => ("合格", "passed"),
            "safety_a" => ("安管人员 A 类", "safety managers, A"),
            "safety_b" => ("安管人员 B 类", "safety managers, B"),
            "safety_c" => ("安管人员 C 类", "safety managers, C"),
            "special" => ("特种作业人员", "special operations"),
            _ => ("", ""),
        };
        if self.zh {
            zh_word
        } else {
            en_word
        }
    }
}

pub const ZH: ExamTexts = ExamTexts {
    zh: true,
    list_title: "考试报名",
    batch: "考试批次编号",
    batch_hint: "留空则列出全部批次",
    filter: "筛选",
    person: "考生",
    id_number: "身份证号",
    enterprise: "报名企业",
    exam_type: "考试类别",
    exam_on: "考试日期",
    state: "状态",
    outcome: "考试结果",
    registered_at: "报名时间",
    opinion: "审核意见",
    none_found: "没有符合条件的考试报名。",
    back_to_list: "返回考试报名",
    review: "审核报名",
    review_hint: "通过后考生参加考试；退回须填写意见，名额随之释放。企业和考生将收到通知。",
    approve: "通过",
    reject: "退回",
    done: "已记录审核结果。",
};

pub const EN: ExamTexts = ExamTexts {
    zh: false,
    list_title: "Exam registrations",
    batch: "Batch id",
    batch_hint: "Leave empty for every batch",
    filter: "Filter",
    person: "Candidate",
    id_number: "ID number",
    enterprise: "Enterprise",
    exam_type: "Exam",
    exam_on: "Exam day",
    state: "State",
    outcome: "Outcome",
    registered_at: "Registered",
    opinion: "Opinion",
    none_found: "No exam registration matches.",
    back_to_list: "Back to the exam registrations",
    review: "Review the registration",
    review_hint: "Approved, the candidate sits the exam; a rejection needs an opinion and gives the place back. The enterprise and the candidate are told.",
    approve: "Approve",
    reject: "Reject",
    done: "The review is recorded.",
};
