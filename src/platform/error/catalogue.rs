//! The catalogue of every error code the server sends: the `code` of a problem document and
//! the `code` of each entry under its `errors`, with the HTTP status(es) of the answer that
//! carries it and a message in both languages (the answer's own `detail` may say more, e.g.
//! which item or how many seconds). Published in the OpenAPI document (`x-error-codes`, and
//! `Problem.code` is an enum of these) and as `mini-program-api/errors.json`, so clients can
//! switch on codes. A unit test scans the source for codes missing here, and in debug builds
//! `render_problems` refuses to send a code that is not listed.

use serde::Serialize;

/// One error code.
#[derive(Debug, Serialize)]
pub struct ErrorCode {
    pub code: &'static str,
    /// The statuses of the answers carrying it (a field code: the status of its problem).
    pub statuses: &'static [u16],
    pub zh: &'static str,
    pub en: &'static str,
}

/// The entry of `code`, if catalogued.
pub fn lookup(code: &str) -> Option<&'static ErrorCode> {
    CODES.iter().find(|c| c.code == code)
}

/// The catalogue as published in `mini-program-api/errors.json` (pretty JSON, final newline).
pub fn catalogue_json() -> String {
    let mut json = serde_json::to_string_pretty(CODES).expect("the catalogue serializes");
    json.push('\n');
    json
}

macro_rules! catalogue {
    ($($code:literal $statuses:tt $zh:literal $en:literal;)*) => {
        /// Every error code, sorted by code.
        pub const CODES: &[ErrorCode] = &[$(ErrorCode { code: $code, statuses: &$statuses, zh: $zh, en: $en }),*];
    };
}

#[rustfmt::skip]
catalogue! {
    "application.already_with_employer" [422] "证书已登记在当前聘用企业，无需变更" "The certificate is already registered with the current employer";
    "application.certificate_not_standing" [422, 409] "证书已注销或已被替换" "The certificate is cancelled or replaced";
    "application.changed_recently" [422] "执业企业变更后 6 个月内不得再次申请变更" "No second employer change within 6 months";
    "application.commitment_required" [422] "请阅读并勾选承诺内容" "Read and accept the commitment";
    "application.conditions_not_met" [422] "不满足办理条件，见各项原因" "The conditions of this service are not met; see each reason";
    "application.education_short" [422] "继续教育合格学时不足" "Not enough hours of passed continuing education";
    "application.employer_differs" [422] "证书登记企业与当前聘用企业不一致，请先办理执业企业变更" "The certificate's enterprise differs from the current employer; apply for an employer change first";
    "application.employment_changed" [409] "申请人已不在该企业任职，不能办结，请退回该办件" "The applicant is no longer employed by this enterprise; refuse the application";
    "application.enterprise_cannot_confirm" [422] "证书所在单位未在平台注册，无法确认：请选择企业信息纠错并上传证明材料" "The certificate's enterprise has no account here to confirm: choose the correction with proof";
    "application.in_progress" [422] "有正在办理的业务" "Another application is in progress";
    "application.no_portrait" [422] "未上传个人证件照" "No ID portrait is on file";
    "application.not_employed" [422] "未登记聘用关系，请由聘用企业发起聘用" "No employment is registered; the employer must register it";
    "application.not_real_name" [422] "未完成实名认证" "Real-name registration is not done";
    "application.not_waiting" [409] "该办件已办理或已结束" "This application has been acted on or has ended";
    "application.not_yet_renewable" [422] "尚未到延续申请期" "Renewal is not open yet";
    "application.not_your_step" [409] "该办件当前不在您的办理环节" "This application is not at a step of yours";
    "application.nothing_corrected" [422] "纠错内容与证书现有信息相同" "Nothing differs from the certificate";
    "application.nothing_to_reissue" [422] "没有登记在原企业名称下的在用证书，无需换发" "No standing certificate carries a former name of the enterprise; nothing to reissue";
    "application.number_on_record" [422, 409] "该证书编号已有记录" "A certificate with this number is on record";
    "application.ongoing_project" [422] "本人有在建项目，不能注销" "You manage a project under construction; the certificate cannot be cancelled";
    "application.opinion_required" [422] "退回或不同意须填写意见" "A refusal needs an opinion";
    "application.original_not_checked" [422] "须在窗口核验证书原件（或证明材料）后办理" "Check the original certificate (or the proof) at the desk first";
    "application.scan_required" [422] "请上传 PDF 扫描件（用途 application_scan）" "Upload the PDF scan first (purpose application_scan)";
    "assessment.changed" [409] "该记录刚被他人修改或处理，请刷新后重试" "The record was changed meanwhile; reload and try again";
    "assessment.document_already_attached" [409] "该文件已附在此考核项上" "This document is already attached to the item";
    "assessment.document_submitted" [409] "该附件已随考核表提交，须保留；可补充新的附件" "This document was submitted with the form and stays with it; attach a new one instead";
    "assessment.document_unusable" [422] "请先上传 PDF 扫描件；已用于其他记录的文件不能再用" "Upload the PDF scan first; a file used by another record cannot be reused";
    "assessment.incomplete" [422] "考核表未填完，不能提交；errors 列出未填的项" "The form is incomplete; errors lists the items to fill";
    "assessment.item_incomplete" [422] "此考核项未填完" "This item is not filled in";
    "assessment.item_not_assessed" [409] "请先确认考核项的考核得分，再通过" "Set the item's assessed score before passing it";
    "assessment.item_not_scored" [409] "该考核项不计分" "This item is not scored";
    "assessment.items_undecided" [409] "有考核项尚未通过或驳回" "Some items are neither passed nor returned yet";
    "assessment.no_such_item" [422] "模板中没有此编号的考核项" "The template has no item with this number";
    "assessment.not_rectifying" [422] "只有退回整改的考核才能上传整改材料" "Rectification material is added only when the record is back for rectification";
    "assessment.not_self_assessed" [422] "项目安全生产条件考核由监督员填报，企业不能自评" "The project assessment is filled by a supervisor, not by the enterprise";
    "assessment.opinion_required" [422] "请填写审核意见" "An opinion is required";
    "assessment.outside_review_scope" [403] "市级只审核其负责区（市）的考核，本区考核由区（市）主管部门审核" "The city station does not review this district's assessments; the district authority does";
    "assessment.period_invalid" [422] "考核期为年份（2026）、半年（2026-H1）或季度（2026-Q3）" "The period is a year (2026), half-year (2026-H1) or quarter (2026-Q3)";
    "assessment.period_taken" [409] "该项目此期已有考核" "This project already has an assessment for this period";
    "assessment.role_not_listed" [422] "该考核项不填报此类人员" "This item does not list people of this role";
    "assessment.score_out_of_range" [422] "得分超出该项满分范围" "The score is outside the item's range";
    "assessment.score_precision" [422] "得分最多保留一位小数" "Scores have at most one decimal place";
    "assessment.score_required" [422] "请填写考核得分" "Enter the assessed score";
    "assessment.slot_invalid" [422] "附件列表须指明附件名称；人员列表请逐人填报；其他项不填 slot" "Attachment lists name the attachment; people lists take people; other items take no slot";
    "assessment.state_forbids" [409] "该记录当前状态不允许此操作" "The record's state does not allow this";
    "auth.account_disabled" [401, 403] "账号已停用" "The account is disabled";
    "auth.forbidden_role" [403] "您的角色无权执行此操作" "Your role is not allowed to do this";
    "auth.invalid_credentials" [401] "账号或密码不正确" "Wrong account or password";
    "auth.invalid_refresh_token" [401] "刷新令牌无效，请重新登录" "The refresh token is not valid; sign in again";
    "auth.invalid_token" [401] "登录凭证无效，请重新登录" "The access token is not valid; sign in again";
    "auth.locked" [429] "登录失败次数过多，请 {minutes} 分钟后再试，或通过短信验证码重置密码" "Too many failed sign-ins; try again in {minutes} minutes or reset the password by SMS";
    "auth.missing_token" [401] "请先登录" "Sign in first: send Authorization: Bearer <access token>";
    "auth.password_expired" [403] "该密码由管理员设置，已失效：请设置新密码后登录" "This password was set by an administrator and has expired: choose a new password to sign in";
    "auth.password_unchanged" [422] "新密码不能与当前密码相同" "The new password must differ from the current one";
    "auth.refresh_token_expired" [401] "登录已过期，请重新登录" "The refresh token has expired; sign in again";
    "auth.refresh_token_reused" [401] "刷新令牌已被使用过，为安全起见该登录已全部注销，请重新登录" "This refresh token was already used; every token of this sign-in is now revoked. Sign in again";
    "auth.session_ended" [401] "该登录已注销（退出登录或密码已修改），请重新登录" "This sign-in has ended (signed out, or the password was changed or reset); sign in again";
    "auth.sms_code_exhausted" [422] "验证码输错次数过多，请重新获取" "Too many wrong entries for this code; ask for a new one";
    "auth.sms_code_expired" [422] "验证码已失效，请重新获取" "The code has expired or was replaced; ask for a new one";
    "auth.sms_code_invalid" [422] "验证码不正确" "Wrong code";
    "auth.sms_code_too_soon" [429] "验证码已发送，请 {secs} 秒后再重新获取" "A code was just sent; ask for a new one in {secs} seconds";
    "auth.token_expired" [401] "登录已过期，请刷新令牌或重新登录" "The access token has expired; refresh it or sign in again";
    "auth.wechat_blocked" [403] "微信风控拦截了此用户的登录" "WeChat's risk control refused this user";
    "auth.wechat_code_invalid" [401] "微信登录凭证无效或已使用，请重新登录" "The WeChat login code is invalid or used; call wx.login() again";
    "auth.wechat_not_configured" [503] "服务器未配置微信小程序登录" "WeChat login is not configured on this server";
    "auth.wechat_rate_limited" [429] "登录过于频繁，请稍后再试" "Too many logins; try again shortly";
    "auth.wrong_current_password" [422] "当前密码不正确" "The current password is wrong";
    "certificate.category_invalid" [422] "特种作业证书须填写操作类别（建筑电工、建筑架子工等规定类别之一）；安管人员证书不填" "A special-operations certificate names its operation category from the fixed list; a safety-management one names none";
    "certificate.code_invalid" [422] "不是本机关签发的电子证书，或证书内容已被改动" "Not an electronic certificate issued here, or its content was altered";
    "certificate.duplicate_in_file" [409] "与文件中前面一行的证书类别和编号重复" "Same kind and number as an earlier line of the file";
    "certificate.enterprise_name_invalid" [422] "请填写发证时的企业名称（最多 200 个字符）" "Enter the enterprise's name at issue (at most 200 characters)";
    "certificate.font_missing" [503] "电子证书暂不可出具，请稍后再试" "Electronic certificates cannot be issued right now; try again later";
    "certificate.holder_name_invalid" [422] "请填写持证人姓名（最多 50 个字符）" "Enter the holder's name (at most 50 characters)";
    "certificate.import_conflict" [409] "该证书已导入且信息不同；更正须办理证书纠错" "This certificate was imported with other data; a correction goes through the correction service";
    "certificate.kind_unknown" [422] "证书类别须为 A、B、C（安管人员）或 特种作业" "The kind is A, B, C (safety management) or 特种作业 (special operations)";
    "certificate.lookup_limit" [429] "查询过于频繁，请稍后再试" "Too many lookups; try again later";
    "certificate.not_printable" [409] "证书不在正常使用状态，不能出具电子证书" "The certificate is not in use; no electronic certificate is issued for it";
    "certificate.number_invalid" [422] "请填写证书编号（最多 50 个字符）" "Enter the certificate number (at most 50 characters)";
    "certificate.number_required" [422] "注册证须填写证书编号" "A registration certificate needs its number";
    "certificate.origin_unknown" [422] "来源须为空（历史数据）、新增归档、进赣换证或本省核发" "The origin is empty (historical), supplement, transfer_in or issued";
    "certificate.scan_invalid" [422] "请先上传证书扫描件（用途 certificate_scan）" "Upload the certificate scan first (purpose certificate_scan)";
    "certificate.specialty_required" [422] "职称须填写专业" "A professional title needs its specialty";
    "certificate.validity_invalid" [422] "有效期截止日期须晚于发证日期" "The expiry date must be after the issue date";
    "certificate.validity_required" [422] "注册证须填写有效期" "A registration certificate needs its validity date";
    "challenge.expired" [422] "校验码已过期，请重新获取" "The challenge has expired; ask for a new one";
    "challenge.invalid" [422] "校验码无效，请重新获取" "The challenge is not valid here; ask for a new one";
    "challenge.used" [422] "校验码已使用过，请重新获取" "The challenge was already used; ask for a new one";
    "check_in.accuracy_invalid" [422] "定位精度数据无效，请重新定位" "The reported location accuracy must be a positive number of metres; locate again";
    "check_in.already_appealed" [409] "该打卡记录已申诉过，每条记录只能申诉一次" "This check-in was already appealed; each can be appealed once";
    "check_in.appeal_decided" [409] "该申诉已处理" "This appeal has already been decided";
    "check_in.no_appeal" [409] "该打卡记录没有待处理的申诉" "This check-in has no appeal to decide";
    "check_in.not_appealable" [409] "该拒绝原因不是对打卡证据的判断，不能申诉（可申诉：不在范围内、定位精度不足、人脸不符、照片重复）" "This refusal is not a judgement about the evidence and cannot be appealed (appealable: outside the area, poor accuracy, face mismatch, reused photo)";
    "check_in.not_employed" [409] "您已不在该企业任职，不能为其打卡" "You no longer work for this enterprise, so you cannot check in for it";
    "check_in.not_refused" [409] "只能对被拒绝的打卡记录提出申诉" "Only a refused check-in can be appealed";
    "check_in.not_under_review" [409] "该打卡记录不在待复核状态（可能已被他人处理），请刷新后查看" "This check-in is not waiting for review (someone may have decided it already); reload it";
    "check_in.outside" [422] "您距企业注册地址 {distance_m} 米，不在打卡范围内" "You are {distance_m} m from the enterprise's registered address, outside the check-in area";
    "check_in.poor_accuracy" [422] "定位精度不足，请到开阔处重新定位" "The location is not accurate enough; locate again in the open";
    "check_in.reused_photo" [422] "该照片已在其他打卡中使用过，请现场拍摄" "This photo was used in another check-in; take a new one";
    "conflict.duplicate" [409] "已存在相同的记录，请勿重复提交" "The same record already exists; do not submit it twice";
    "conflict.referenced" [409] "该记录仍被其他记录引用（例如资质证书被核查任务引用），或所引用的记录已不存在，因此不能执行此操作" "Other records still refer to this one (e.g. a verification task refers to this qualification),              or the record it refers to no longer exists, so this cannot be done";
    "coordinates.range" [422] "坐标超出范围：纬度 -90 至 90，经度 -180 至 180" "Coordinates out of range: latitude -90 to 90, longitude -180 to 180";
    "credit_code.check_character" [422] "统一社会信用代码校验位不正确，请核对后重新输入" "The unified social credit code's check character is wrong; check the code";
    "credit_code.format" [422] "统一社会信用代码应为18位，由数字和大写字母（不含 I、O、Z、S、V）组成" "A unified social credit code has 18 characters: digits and capital letters except I, O, Z, S, V";
    "daily.bonus_by_enterprise" [422] "加分事项由企业提报" "Bonuses are reported by the enterprise";
    "daily.deduction_by_staff" [422] "扣分事项由主管部门记录" "Deductions are recorded by the authority";
    "daily.enterprise_fixed" [422] "不能更换记录所属企业" "The event's enterprise cannot change";
    "daily.enterprise_unknown" [422] "请选择辖区内的企业" "Choose an enterprise within your jurisdiction";
    "daily.evidence_required" [422] "加分事项须上传获奖证明材料" "A bonus needs its award evidence";
    "daily.not_reporter" [403] "只有提报人可以修改或删除该记录" "Only whoever reported the event can change or delete it";
    "daily.own_record" [409] "记录人不能审核自己记录的扣分事项" "Whoever recorded a deduction cannot review it";
    "daily.points_invalid" [422] "加分为正、扣分为负，绝对值不超过 100，最多一位小数" "Bonuses are positive and deductions negative, at most 100, in tenths";
    "daily.project_unknown" [422] "该项目不属于此企业" "The project is not this enterprise's";
    "daily.type_unknown" [422] "没有此事件类型" "No such event type";
    "date.format" [422] "日期应为 YYYY-MM-DD 格式的有效日期" "Give a valid date as YYYY-MM-DD";
    "district_code.format" [422] "行政区划代码应为6位数字" "A district code is the 6-digit administrative division code";
    "document.already_completed" [409] "该文件已上传完成" "This upload was already completed";
    "document.body_invalid" [400] "上传内容不完整或格式错误，请重新上传" "The upload was cut off or malformed; upload again";
    "document.empty" [422] "文件为空" "The file is empty";
    "document.file_missing" [422] "请求中没有名为 file 的文件" "The request has no part named file";
    "document.hash_mismatch" [422] "文件的 SHA-256 与申报的不符" "The file's SHA-256 differs from the one announced";
    "document.image_too_large" [422] "图片像素过多" "The image has too many pixels";
    "document.image_too_small" [422] "图片尺寸过小，无法看清" "The image is too small to be legible";
    "document.image_unreadable" [422] "图片无法解析，请重新拍摄" "The image cannot be read; take it again";
    "document.images_busy" [503] "正在处理的图片过多，请稍后重试" "Too many images are being processed; try again shortly";
    "document.in_use" [409] "该文件仍被其他记录引用，不能删除" "A record still refers to this file; it cannot be deleted";
    "document.locked" [409] "文件所属记录已提交，不能删除或替换" "The record this file belongs to is no longer editable; the file cannot be deleted";
    "document.not_completed" [409] "文件尚未上传完成" "The upload of this file has not been completed";
    "document.not_multipart" [415] "请以 multipart/form-data 上传文件" "Upload the file as multipart/form-data";
    "document.not_uploaded" [422] "尚未收到文件，请先上传" "No file has arrived yet; upload it first";
    "document.owner_required" [422] "请指定 owner_kind（person 或 enterprise）和 owner_id" "Give owner_kind (person or enterprise) and owner_id";
    "document.part_too_large" [413] "请求中除 file 外的部分过大（每个最多 64 KB）" "A part besides file is too large (at most 64 KB each)";
    "document.pdf_incomplete" [422] "PDF 文件不完整（缺少结尾标记），请重新扫描或导出" "The PDF is incomplete (no end marker); scan or export it again";
    "document.purpose_not_allowed" [403] "您的账号不能上传此用途的文件" "Your account cannot upload documents of this purpose";
    "document.purpose_unknown" [422] "用途不在可选范围内" "Unknown purpose";
    "document.sha256_format" [422] "sha256 应为64位十六进制" "sha256 is 64 hexadecimal characters";
    "document.size_mismatch" [422] "上传的文件大小与申报的不符" "The uploaded file's size differs from the one announced";
    "document.too_large" [413] "文件超过此类文件的上限 {limit}" "The file exceeds this type's limit of {limit}";
    "document.too_many_parts" [413] "请求中除 file 外的部分过多（最多 16 个）" "Too many parts besides file (at most 16)";
    "document.type_not_allowed" [415] "文件内容为 {found}，此用途只接受 {accepted}" "The file's content is {found}; this purpose accepts {accepted}";
    "education.completed_in_future" [422] "结业日期不能晚于今天" "The completion date cannot be in the future";
    "education.course_invalid" [422] "请填写课程名称（最多 200 个字符）" "Enter the course title (at most 200 characters)";
    "education.duplicate" [409] "本机构已为该持证人录入过同一天的同一课程" "This institution already recorded this course on that day for this holder";
    "education.duplicate_in_file" [409] "与文件中前面一行是同一持证人同一天的同一课程" "The same holder, course and day as an earlier line of the file";
    "education.hours_invalid" [422] "学时须为 1 至 200 的整数" "The hours are a whole number from 1 to 200";
    "education.passed_invalid" [422] "是否合格须填写 是 或 否（合格 / 不合格）" "Whether it was passed: 是 or 否 (yes or no)";
    "employment.already_employed" [409] "您已与其他企业存在聘用关系，须先解除" "You are employed by another enterprise; that relation must end first";
    "employment.already_ended" [409] "该聘用关系已解除" "This employment has already ended";
    "employment.already_your_staff" [409] "此人已是本企业在聘人员" "This person already works for you";
    "employment.contract_period_invalid" [422] "合同结束日期须晚于开始日期" "The contract must end after it starts";
    "employment.mini_program_only" [403] "请在小程序中经人脸核验后确认聘用关系" "Employment is confirmed only in the mini-program, with a face check";
    "employment.person_not_registered" [404] "该身份证号尚未实名登记，请让本人先在小程序完成实名登记" "No one is registered with this ID number; the person must first register in the mini-program";
    "employment.request_not_pending" [409] "该聘用请求已被处理" "The request was answered meanwhile";
    "employment.request_pending" [409] "已向此人发出聘用请求，正在等待确认" "A request to this person is already waiting for an answer";
    "employment.unregistered_limit" [429] "今日查询未实名登记身份证号的次数已达上限，请明天再试" "Too many requests for unregistered ID numbers today; try again tomorrow";
    "enterprise.already_exists" [409] "该统一社会信用代码已开通账号" "An account with this credit code already exists";
    "enterprise.document_invalid" [422] "请先上传所需用途的文件" "Upload a document of the required purpose first";
    "enterprise.field_staff_only" [403] "以下信息须由主管部门更正：{fields}" "These fields are corrected by the authority: {fields}";
    "enterprise.outside_jurisdiction" [403] "只能为本辖区的企业开通账号" "You can only open accounts for enterprises in your district";
    "enterprise.polygon_vertices" [422] "打卡范围多边形须有 3 至 100 个顶点" "The fence polygon needs 3 to 100 vertices";
    "enterprise.qualification_issued_in_future" [422] "资质证书发证日期不能晚于今天" "The certificate's issue date cannot be later than today";
    "enterprise.radius_range" [422] "打卡范围半径须在 10 至 5000 米之间" "The fence radius must be 10 to 5000 metres";
    "exam.absent_recently" [422] "报名审核通过后无故缺考，半年内不能参加考试报名" "Missed an exam after approval: barred from registering for 6 months";
    "exam.already_registered" [422] "已报名本批次或同类型考试尚无结果" "Already registered for this batch, or for an exam of this type without an outcome yet";
    "exam.already_reviewed" [409] "该报名已审核" "This registration has been reviewed already";
    "exam.batch_full" [409] "本批次名额已满" "This batch is full";
    "exam.capacity_invalid" [422] "名额须为 1 到 100000" "The capacity is 1 to 100000";
    "exam.category_invalid" [422] "特种作业考试须选择列表中的操作类别，安管人员考试不填" "A special-operations exam needs a listed category; the safety-management exams have none";
    "exam.cheated_recently" [422] "考试作弊，一年内不准参加考试报名" "Cheated in an exam: barred from registering for a year";
    "exam.ineligible" [422] "该人员不符合报名条件" "This person does not meet the conditions to register";
    "exam.no_portrait" [422] "未上传个人证件照片" "Has no ID portrait on file";
    "exam.not_employed_here" [422] "不是本企业在职人员" "Is not employed by this enterprise";
    "exam.not_real_name" [422] "未完成实名注册" "Has not completed real-name registration";
    "exam.opinion_required" [422] "退回报名须填写意见" "A rejection needs an opinion";
    "exam.outcome_not_allowed" [409] "只能在考试日及以后为审核通过且尚无结果的报名登记考试结果" "An outcome is recorded once, from the exam day on, for an approved registration";
    "exam.outside_district" [403] "区（市）主管部门只能发布本辖区的考试批次" "A district authority publishes exam batches in its own district only";
    "exam.registration_closed" [409] "报名已截止" "Registration has closed";
    "exam.registration_not_open" [409] "报名尚未开始" "Registration has not opened yet";
    "exam.schedule_invalid" [422] "报名开始日不能晚于截止日，报名须在考试日前截止" "Registration opens no later than it closes, and closes before the exam day";
    "exam.type_unknown" [422] "考试类型须为 safety_a、safety_b、safety_c 或 special" "The exam type is safety_a, safety_b, safety_c or special";
    "face.busy" [503] "人脸核验繁忙，请稍后重试" "Face checks are busy; try again shortly";
    "face.evidence_required" [422] "请提交现场自拍照（selfie_document_id）或微信人脸核身（verify_id）其中之一" "Send either a live selfie (selfie_document_id) or a WeChat face verification (verify_id), not both";
    "face.mismatch" [422] "人脸比对不一致，须本人的照片、本人操作" "The faces do not match; only the person themself, with their own photos, can do this";
    "face.no_face" [422] "照片中没有找到人脸，请正对镜头重拍" "No face found in the photo; take it again facing the camera";
    "face.selfie_not_accepted" [422] "本系统以微信人脸核身核验人脸，请完成微信人脸核身后提交 verify_id" "Faces are checked with WeChat face verification here; complete it and send its verify_id";
    "face.selfie_not_fresh" [422] "请在获取校验码之后现场自拍" "Take the selfie after asking for the challenge";
    "face.several_faces" [422] "照片中有多张人脸，只能有本人一人" "The photo shows several faces; it must show only you";
    "face.too_blurred" [422] "照片模糊，请保持稳定后重拍" "The photo is blurred; hold still and take it again";
    "face.too_dark" [422] "照片太暗，请在光线充足处重拍" "The photo is too dark; take it again in better light";
    "face.too_large" [422] "照片尺寸过大，请用较低分辨率重拍" "The photo is too large; take it at a lower resolution";
    "face.too_small" [422] "照片中的人脸太小，请靠近镜头重拍" "The face in the photo is too small; come closer to the camera";
    "face.unreadable" [422] "照片无法读取" "The photo cannot be read";
    "field.invalid" [422] "字段值不正确" "The field's value is not valid";
    "field.missing" [422] "缺少必填字段" "This field is required";
    "field.unknown" [422] "不认识的字段" "Unknown field";
    "id_number.birth_date" [422] "身份证号中的出生日期无效" "The birth date inside the ID number is not a valid date";
    "id_number.check_character" [422] "身份证号校验位不正确，请核对后重新输入" "The ID number's check character is wrong; check the number";
    "id_number.format" [422] "身份证号应为18位：17位数字加1位校验码（数字或 X）" "An ID number has 18 characters: 17 digits and a check character (digit or X)";
    "identity.assurance_too_low" [403] "您的身份核验等级不足以进行本操作，详见说明" "Your identity assurance is too low for this; the detail says what to do";
    "identity.desk_code_invalid" [422] "核验码不属于该身份证号的登记人，请本人在自己的小程序中重新获取核验码" "The desk code is not this ID card holder's; the person opens a new one in their own mini-program";
    "identity.desk_name_mismatch" [422] "身份证上的姓名与实名登记的姓名不一致，不能核验；请本人更正登记信息" "The name on the ID card differs from the registered name; the registration must be corrected first";
    "import.columns_missing" [422] "CSV 表头缺少列：{columns}" "The CSV header lacks columns: {columns}";
    "import.encoding_unknown" [422] "CSV 文件须为 UTF-8 或 GB18030 编码" "The CSV must be encoded in UTF-8 or GB18030";
    "import.workbook_too_large" [413] "工作簿过大（解压后最多 64 MB、100 万个单元格），请分批导入" "The workbook is too large (at most 64 MB unpacked and a million cells); import it in parts";
    "import.workbook_unreadable" [422] "无法读取该 XLSX 工作簿，请用 Excel 或 WPS 另存为 .xlsx 或 CSV 后重试" "The XLSX workbook cannot be read; save it again as .xlsx or CSV from Excel or WPS";
    "internal" [500] "服务器内部错误，请带上请求编号联系管理员" "Internal server error; quote the request id when reporting it";
    "link.expired" [403] "链接已过期，请重新获取" "The link has expired; get a new one";
    "link.invalid" [403] "链接无效" "The link is not valid";
    "liveness.challenge_required" [422] "请先获取实名登记校验码，再按提示拍照" "Ask for a registration challenge first, then take the photos it asks for";
    "liveness.frame_count" [422] "照片数量与校验码要求不符" "The number of photos differs from what the challenge asks for";
    "liveness.not_same_person" [422] "照片中不是同一人，须本人完成全部拍摄" "The photos do not all show the same person; take every photo yourself";
    "liveness.repeated_frame" [422] "有两张照片是同一张，请按提示重新拍摄每一张" "Two photos are the same image; take each photo anew as asked";
    "liveness.wrong_pose" [422] "照片姿势与提示不符，请按顺序重拍" "A photo does not show the pose asked for; take them again in order";
    "password.weak" [422] "密码需为8至128位，且同时包含字母和数字" "A password needs 8 to 128 characters with both letters and digits";
    "person.already_registered" [409] "您已完成实名登记" "You are already registered";
    "person.identity_taken" [409] "该身份证号已被其他账号实名登记" "This ID number is registered to another account";
    "person.not_registered" [404, 409] "请先完成实名登记" "Complete the real-name registration first";
    "person.photo_not_found" [422] "找不到该照片，请先上传" "No such photo of yours; upload it first";
    "person.photo_pending" [422] "照片尚未上传完成" "The photo's upload is not completed";
    "person.photo_purpose" [422] "照片用途不符" "This document is not of the required purpose";
    "person.registration_held" [409] "您的人脸与已登记的其他身份相同，实名登记已提交市安监站人工审核；审核通过前不能进行刷脸操作或确认聘用" "Your face matches another registered identity, so your registration is held for review by the city station; until it is approved you cannot do face-checked acts or accept employment";
    "person.selfie_is_portrait" [422] "自拍照与证件照相同，请现场自拍本人照片" "The selfie is the ID portrait itself; take a live selfie of yourself";
    "phone.format" [422] "手机号应为11位中国大陆手机号码" "Enter an 11-digit mainland China mobile number";
    "photo.reused" [422] "该照片已使用过，请现场重新拍摄" "This photo was already used; take a new one";
    "project.area_invalid" [422] "建筑面积须为大于 0 的平方米数" "The building area is a positive number of m²";
    "project.enterprise_unknown" [422] "没有此统一社会信用代码的企业账号" "No enterprise account has this credit code";
    "project.outside_district" [403] "只能改为本人负责辖区内的行政区" "Only a district within your own jurisdiction can be set";
    "project.permit_taken" [409] "该施工许可证编号的项目已登记" "A project with this permit number is already registered";
    "request.bad_parameter" [400] "地址或查询参数格式不正确" "A path or query parameter is malformed";
    "request.invalid" [400, 422] "请求无效" "Invalid request";
    "request.invalid_fields" [422] "请求中有字段不符合要求，请按 errors 中的说明修改" "Some fields are invalid; see errors for what to change";
    "request.malformed_json" [400] "请求体不是有效的 JSON" "The request body is not valid JSON";
    "request.not_json" [415] "请求体须为 JSON，并设置 Content-Type: application/json" "Send a JSON body with Content-Type: application/json";
    "request.timeout" [408] "请求处理超时，请稍后重试" "The request took too long; try again later";
    "request.too_large" [413] "请求内容过大" "The request body is too large";
    "request.unreadable_body" [400] "无法读取请求体" "The request body could not be read";
    "request.unstorable_value" [422] "请求中有无法保存的值（如含空字符、过长或超出范围），请检查后重新提交" "The request holds a value that cannot be stored (a NUL character, too long or out of range); check it";
    "request.unsupported_media_type" [415] "不支持的内容类型" "Unsupported content type";
    "request.uri_too_long" [414] "请求地址过长" "The request URI is too long";
    "resource.not_found" [404] "对象不存在或无权访问" "Not found (or outside your scope)";
    "result.adjustment_changes_nothing" [409] "此项调整不改变等次" "This adjustment would not change the grade";
    "result.bands_invalid" [422] "等次分数线须满足 0 ≤ 合格 ≤ 良好 ≤ 优秀 ≤ 100" "Bands need 0 ≤ qualified ≤ good ≤ excellent ≤ 100";
    "result.incomplete" [409] "考核材料尚不齐全，没有可调整的等次" "The result has no grade yet to adjust: approved assessments are missing";
    "result.period_invalid" [422] "考核年度为四位年份，如 2026" "The period is a year, e.g. 2026";
    "result.reason_unknown" [422] "请从所列调整事项中选择" "Choose one of the listed reasons for this action";
    "result.weights_invalid" [422] "须为各项给出 0 至 10 的权重" "Give each part a weight from 0 to 10";
    "review.decided" [409] "该实名登记已审核完毕" "This registration has already been decided";
    "review.state_unknown" [422] "state 须为 held、approved、refused 或 all" "state must be held, approved, refused or all";
    "route.method_not_allowed" [405] "此接口不支持该请求方法，可用方法见 Allow 头" "This endpoint does not accept this method; see the Allow header";
    "route.not_found" [404] "没有这个接口，请检查地址" "No such endpoint; check the URL";
    "service.database_busy" [503] "数据库繁忙，请稍后重试" "The database is busy; try again shortly";
    "service.not_ready" [503] "数据库不可用" "The database is unreachable";
    "service.unavailable" [503] "服务暂时不可用，请稍后重试" "Service temporarily unavailable; try again later";
    "sms.account_limit" [429] "今日短信验证码发送次数已达上限，请稍后再试" "Too many SMS codes were asked for today; try again later";
    "sms.address_limit" [429] "今日短信验证码发送次数已达上限，请稍后再试" "Too many SMS codes were asked for today; try again later";
    "sms.daily_limit" [429] "今日短信验证码发送次数已达上限，请稍后再试" "Too many SMS codes were asked for today; try again later";
    "sms.unavailable" [503] "短信发送失败，请稍后重试" "The SMS could not be sent; try again shortly";
    "staff.creation_not_allowed" [403] "您的角色不能创建该角色的账号" "Your role cannot create accounts of that role";
    "staff.district_not_allowed" [422] "市级和系统管理员账号不属于某个区" "City and sysadmin accounts are not bound to a district";
    "staff.district_required" [422] "区（市）主管部门账号必须指定行政区划代码" "A district account needs a district code";
    "staff.manage_not_allowed" [403] "您的角色不能管理该账号" "Your role cannot manage that account";
    "staff.outside_jurisdiction" [403] "只能在本辖区内创建账号" "You can only create accounts in your own district";
    "staff.own_account" [409] "不能停用、启用、解锁或重置自己的账号；修改自己的密码请用“修改密码”" "You cannot disable, enable, unlock or reset your own account; change your own password instead";
    "staff.role_invalid" [422] "角色须为 city、district、supervisor 或 sysadmin" "The role must be city, district, supervisor or sysadmin";
    "staff.username_format" [422] "用户名为3至32位字母、数字或 . _ -" "Use 3–32 letters, digits, '.', '_' or '-'";
    "staff.username_taken" [409] "该用户名已被使用" "That username is taken";
    "storage.unavailable" [503] "文件存储暂时不可用，请稍后重试" "File storage is unavailable; try again shortly";
    "template.item_count" [422] "模板须有 1 至 100 项" "A template has 1 to 100 items";
    "template.item_number" [422] "编号为 1 至 10 位字母、数字、点或横线" "A number is 1 to 10 letters, digits, dots or dashes";
    "template.item_number_taken" [422] "编号在模板内重复" "This number is used twice in the template";
    "template.max_score" [422] "计分项须有 0.1 至 1000 的满分（最多一位小数）" "A scored item needs a maximum of 0.1 to 1000, in tenths";
    "template.max_score_unscored" [422] "人员和附件列表项不计分" "People and attachment lists are not scored";
    "template.project_scored_only" [422] "项目考核模板只有计分项" "The project template has scored items only";
    "template.slots" [422] "计分项无 slots；人员列表列出角色；附件列表列出不重复的附件名称" "Scored items have no slots; people lists name roles; attachment lists name distinct attachments";
    "template.version_conflict" [409] "另一个版本刚刚发布，请刷新后重试" "Another version was just published; reload and try again";
    "text.control_character" [422] "内容含有不可见的控制字符（如空字符；单行项也不能换行），请删除后重新输入" "The text holds control characters (such as NUL, or a line break in a one-line field); remove them";
    "text.empty" [422] "此项不能为空" "This field must not be empty";
    "text.too_long" [422] "内容过长" "The text is too long";
    "training.username_format" [422] "用户名为3至32位字母、数字或 . _ -" "Use 3–32 letters, digits, '.', '_' or '-'";
    "training.username_taken" [409] "该培训机构用户名已被使用" "That training-institution username is taken";
    "upstream.wechat_unavailable" [503] "微信服务暂时不可用，请稍后重试" "WeChat is unavailable; try again shortly";
    "verification.already_checked_in" [409] "您已完成本次打卡" "You have already checked in for this task";
    "verification.deadline_passed" [422] "按此计算的启动期限已过；请核对通知日期和资质发证日期" "The start deadline this gives has already passed; check the notice date and the certificate's issue date";
    "verification.duplicate" [422] "人员重复选择" "A person is selected twice";
    "verification.mini_program_only" [403] "请在小程序中打卡" "Check in from the mini-program";
    "verification.not_selected" [403] "您不在本次核查的打卡人员名单中" "You are not among this task's check-in personnel";
    "verification.nothing_to_replace" [409] "所选打卡人员均在职，无需更换" "Everyone selected is still employed; there is no one to replace";
    "verification.notice_in_future" [422] "通知日期不能晚于今天" "The notice date cannot be later than today";
    "verification.outside_window" [422] "不在打卡时间内" "Check-in is not open for this task now";
    "verification.person_not_employed" [409] "{who} 已不在本企业任职，请更换打卡人员" "{who} no longer works for the enterprise; select someone else";
    "verification.person_not_qualified" [422] "所选人员不是本企业在职的注册人员或职称技术人员，或未上传证件" "A selected person is not current registered or titled staff, or has no certificate";
    "verification.replacement_drops_employed" [422] "{who} 仍在职，须保留在打卡人员中；只能更换已离职人员" "{who} is still employed and must stay selected; only people who left can be replaced";
    "verification.replacement_keeps_ended" [422] "已离职人员须从打卡人员中更换" "People who left must be replaced";
    "verification.report_missing" [422] "请先上传整改报告 PDF（用途 material_scan）" "Upload the rectification report PDF first (purpose material_scan)";
    "verification.requirements_missing" [409] "尚未设置该资质的人员要求，请联系市级主管部门" "No staff requirements are set for this qualification; ask the city station";
    "verification.site_missing" [409] "企业尚未登记注册地址坐标，无法打卡" "The enterprise's site has no coordinates; check-in is not possible";
    "verification.state" [409] "核查任务当前状态不允许此操作" "The task's state does not allow this";
    "verification.task_exists" [409] "该资质已有进行中的核查任务" "This qualification already has a verification task in progress";
    "verification.technical_lead_missing" [422] "技术负责人必须选为打卡人员" "The technical lead must be selected";
    "verification.too_few_in_total" [422] "打卡人员不足资质标准所需注册人员和职称技术人员总和的50%" "Fewer than half the required registered and titled staff are selected";
    "verification.too_few_registered" [422] "注册人员不足" "Too few registered staff are selected";
    "verification.too_few_titled" [422] "职称技术人员不足" "Too few titled staff are selected";
    "wechat.code_format" [422] "登录凭证 code 无效" "The login code is empty or too long";
    "wechat_face.expired" [422] "人脸核身已过期，请重新发起人脸核身" "The face verification has expired; start a new one";
    "wechat_face.failed" [422] "微信人脸核身未完成，请重新发起人脸核身" "The WeChat face verification was not completed; start a new one";
    "wechat_face.invalid" [422] "该人脸核身不属于本次操作，请重新发起人脸核身" "This face verification is not for this act; start a new one";
    "wechat_face.mini_program_only" [403] "微信人脸核身只能在小程序中进行" "WeChat face verification runs in the mini-program only";
    "wechat_face.not_enabled" [409, 422] "本系统未启用微信人脸核身" "WeChat face verification is not enabled here";
    "wechat_face.refused" [502] "微信拒绝了人脸核身请求，请稍后重新发起" "WeChat refused the face verification call; start a new verification later";
    "wechat_face.target" [422] "人脸核身的对象不符" "The face verification's target is not valid";
    "wechat_face.unavailable" [503] "微信人脸核身暂不可用，请稍后重试" "WeChat face verification is unavailable; try again shortly";
    "wechat_face.used" [422] "该人脸核身已使用过，请重新发起人脸核身" "This face verification was already used; start a new one";
}
