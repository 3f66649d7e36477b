//! The words of the held registrations' pages, in Chinese and English.

use crate::platform::error::Lang;

pub struct RegistrationTexts {
    zh: bool,
    pub list_title: &'static str,
    pub all: &'static str,
    pub filter: &'static str,
    pub name: &'static str,
    pub id_number: &'static str,
    pub state: &'static str,
    pub matches: &'static str,
    pub held_at: &'static str,
    pub none_found: &'static str,
    pub back_to_list: &'static str,
    pub review_title: &'static str,
    pub held_person: &'static str,
    pub portrait: &'static str,
    pub selfie: &'static str,
    pub matched_title: &'static str,
    pub matched_hint: &'static str,
    pub distance: &'static str,
    pub found_at: &'static str,
    pub gone: &'static str,
    pub decision: &'static str,
    pub decision_hint: &'static str,
    pub approve: &'static str,
    pub refuse: &'static str,
    pub reason: &'static str,
    pub decided_at: &'static str,
    pub done_approve: &'static str,
    pub done_refuse: &'static str,
}

impl RegistrationTexts {
    pub fn of(lang: Lang) -> &'static RegistrationTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// A review's state, as the API spells it.
    pub fn word(&self, code: &str) -> &'static str {
        let (zh_word, en_word) = match code {
            "held" => ("待人工审核", "held"),
            "approved" => ("已通过", "approved"),
            "refused" => ("未通过", "refused"),
            _ => ("", ""),
        };
        if self.zh {
            zh_word
        } else {
            en_word
        }
    }
}

pub const ZH: RegistrationTexts = RegistrationTexts {
    zh: true,
    list_title: "实名登记人工审核",
    all: "全部",
    filter: "筛选",
    name: "姓名",
    id_number: "身份证号",
    state: "状态",
    matches: "相似人脸",
    held_at: "暂停登记时间",
    none_found: "没有符合条件的实名登记审核。",
    back_to_list: "返回实名登记审核",
    review_title: "实名登记审核",
    held_person: "待审核的登记",
    portrait: "身份证人像",
    selfie: "登记自拍照",
    matched_title: "人脸相似的已登记人员",
    matched_hint: "“一人一脸”核验发现以下已登记人员与本次登记人脸相似（距离越小越相似）。",
    distance: "人脸距离",
    found_at: "发现时间",
    gone: "（该身份已不存在）",
    decision: "审核决定",
    decision_hint:
        "通过：确认为不同的人（如双胞胎），登记生效；不通过：关闭此次登记，身份证号可重新登记。本人将收到通知。",
    approve: "通过",
    refuse: "不通过",
    reason: "审核理由",
    decided_at: "审核时间",
    done_approve: "已通过此实名登记。",
    done_refuse: "已关闭此实名登记。",
};

pub const EN: RegistrationTexts = RegistrationTexts {
    zh: false,
    list_title: "Registrations held for a manual review",
    all: "All",
    filter: "Filter",
    name: "Name",
    id_number: "ID number",
    state: "State",
    matches: "Similar faces",
    held_at: "Held at",
    none_found: "No registration review matches.",
    back_to_list: "Back to the registration reviews",
    review_title: "Registration review",
    held_person: "The held registration",
    portrait: "ID card portrait",
    selfie: "Registration selfie",
    matched_title: "Registered people with a similar face",
    matched_hint: "The one-face check found these registered people's faces similar to this registration's (the smaller the distance, the more similar).",
    distance: "Face distance",
    found_at: "Found at",
    gone: "(this identity no longer exists)",
    decision: "Decision",
    decision_hint: "Approve: different people after all (twins), the registration takes effect. Refuse: the registration is closed and the ID number may register again. The person is told.",
    approve: "Approve",
    refuse: "Refuse",
    reason: "Reason",
    decided_at: "Decided at",
    done_approve: "The registration is approved.",
    done_refuse: "The registration is closed.",
};
