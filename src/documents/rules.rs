//! Document rules, as pure functions: what each purpose accepts (DOMAIN.md §5: scans are PDF,
//! photos JPEG/PNG, the enterprise video a video file), how content is recognised (by its
//! magic bytes, never by name or declared type), and the document lifecycle.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Role, Scope};
use crate::platform::config::UploadSettings;
use crate::platform::ids::PersonId;

/// What a document is for; decides who may upload it and which formats it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Enterprise material scans (assessment evidence, rectification material): PDF.
    MaterialScan,
    /// 营业执照: PDF or image.
    BusinessLicence,
    /// 企业视频: MP4 or QuickTime.
    EnterpriseVideo,
    /// A staff member's registration or title certificate, uploaded by the enterprise: PDF or image.
    CertificateScan,
    /// A person's ID portrait (证件照): JPEG or PNG.
    IdPortrait,
    /// A person's live face capture: JPEG or PNG.
    Selfie,
    /// A supervisor's signed, scanned project assessment form (签字后的考核表扫描件): PDF.
    SupervisionForm,
    /// A person's scan for an application on a certificate: the original certificate (补录,
    /// 纠错) or the proof that its enterprise cannot confirm (企业信息纠错): PDF.
    ApplicationScan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = DocumentOwnerKind)]
pub enum OwnerKind {
    Person,
    Enterprise,
    /// A staff member (supervisors upload their signed forms).
    Staff,
}

impl OwnerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerKind::Person => "person",
            OwnerKind::Enterprise => "enterprise",
            OwnerKind::Staff => "staff",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Jpeg,
    Png,
    Mp4,
    QuickTime,
}

/// The size class a format's cap comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeClass {
    Pdf,
    Image,
    Video,
}

impl Purpose {
    pub const ALL: [Purpose; 8] = [
        Purpose::MaterialScan,
        Purpose::BusinessLicence,
        Purpose::EnterpriseVideo,
        Purpose::CertificateScan,
        Purpose::IdPortrait,
        Purpose::Selfie,
        Purpose::SupervisionForm,
        Purpose::ApplicationScan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::MaterialScan => "material_scan",
            Purpose::BusinessLicence => "business_licence",
            Purpose::EnterpriseVideo => "enterprise_video",
            Purpose::CertificateScan => "certificate_scan",
            Purpose::IdPortrait => "id_portrait",
            Purpose::Selfie => "selfie",
            Purpose::SupervisionForm => "supervision_form",
            Purpose::ApplicationScan => "application_scan",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Who owns (and uploads) documents of this purpose.
    pub fn owner(self) -> OwnerKind {
        match self {
            Purpose::IdPortrait | Purpose::Selfie | Purpose::ApplicationScan => OwnerKind::Person,
            Purpose::SupervisionForm => OwnerKind::Staff,
            _ => OwnerKind::Enterprise,
        }
    }

    pub fn allowed(self) -> &'static [Format] {
        match self {
            Purpose::MaterialScan | Purpose::SupervisionForm | Purpose::ApplicationScan => &[Format::Pdf],
            Purpose::BusinessLicence | Purpose::CertificateScan => &[Format::Pdf, Format::Jpeg, Format::Png],
            Purpose::EnterpriseVideo => &[Format::Mp4, Format::QuickTime],
            Purpose::IdPortrait | Purpose::Selfie => &[Format::Jpeg, Format::Png],
        }
    }

    /// The largest size any accepted format of this purpose may have.
    pub fn max_bytes(self, limits: &UploadSettings) -> u64 {
        self.allowed().iter().map(|f| f.max_bytes(limits)).max().unwrap_or(0)
    }

    /// The accepted formats in words, for error messages.
    pub fn allowed_names(self) -> String {
        self.allowed().iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    }
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Pdf => "application/pdf",
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Mp4 => "video/mp4",
            Format::QuickTime => "video/quicktime",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Pdf => "PDF",
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Mp4 => "MP4",
            Format::QuickTime => "QuickTime",
        }
    }

    pub fn class(self) -> SizeClass {
        match self {
            Format::Pdf => SizeClass::Pdf,
            Format::Jpeg | Format::Png => SizeClass::Image,
            Format::Mp4 | Format::QuickTime => SizeClass::Video,
        }
    }

    pub fn max_bytes(self, limits: &UploadSettings) -> u64 {
        match self.class() {
            SizeClass::Pdf => limits.pdf_max_bytes,
            SizeClass::Image => limits.image_max_bytes,
            SizeClass::Video => limits.video_max_bytes,
        }
    }
}

/// Bytes `sniff` needs to decide.
pub const SNIFF_LEN: usize = 12;

/// Recognises a file by its first bytes: `%PDF-`; JPEG's SOI marker `FF D8 FF`; PNG's
/// eight-byte signature; an ISO base media file's `ftyp` box (MP4, or QuickTime with brand
/// `qt  `), or a QuickTime file starting with a `moov`, `mdat`, `wide` or `free` atom.
pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"%PDF-") {
        Some(Format::Pdf)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(Format::Png)
    } else if head.len() >= 12 && &head[4..8] == b"ftyp" {
        Some(if &head[8..12] == b"qt  " {
            Format::QuickTime
        } else {
            Format::Mp4
        })
    } else if head.len() >= 8 && matches!(&head[4..8], b"moov" | b"mdat" | b"wide" | b"free") {
        Some(Format::QuickTime)
    } else {
        None
    }
}

/// Bytes kept from the end of a PDF to check it is complete.
pub const PDF_TAIL_LEN: usize = 1024;

/// A complete PDF ends with an `%%EOF` marker (ISO 32000-1 §7.5.5), give or take trailing
/// whitespace; a truncated scan does not.
pub fn pdf_is_complete(tail: &[u8]) -> bool {
    tail.windows(5).any(|w| w == b"%%EOF")
}

/// Document states: `pending` (a presigned upload not yet completed), `available`, and
/// `locked` (attached to a record that can no longer be edited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocState {
    Pending,
    Available,
    Locked,
}

impl DocState {
    pub fn as_str(self) -> &'static str {
        match self {
            DocState::Pending => "pending",
            DocState::Available => "available",
            DocState::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<DocState> {
        [DocState::Pending, DocState::Available, DocState::Locked]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum DocRule {
    /// Attached to a record that is no longer editable (DOMAIN.md §5: attachments may be
    /// deleted and replaced only while their record is still editable).
    Locked,
    /// The upload has not been completed.
    NotCompleted,
    AlreadyCompleted,
}

/// Whether a document may be deleted by its owner.
pub fn may_delete(state: DocState) -> Result<(), DocRule> {
    match state {
        DocState::Locked => Err(DocRule::Locked),
        DocState::Pending | DocState::Available => Ok(()),
    }
}

/// Whether a document can be read or downloaded.
pub fn may_read_content(state: DocState) -> Result<(), DocRule> {
    match state {
        DocState::Pending => Err(DocRule::NotCompleted),
        DocState::Available | DocState::Locked => Ok(()),
    }
}

/// Whether a presigned upload may be completed.
pub fn may_complete(state: DocState) -> Result<(), DocRule> {
    match state {
        DocState::Pending => Ok(()),
        _ => Err(DocRule::AlreadyCompleted),
    }
}

/// The object key of a document: chosen by the server from the owner and the document id.
pub fn object_key(owner: OwnerKind, owner_id: &str, document_id: &str) -> String {
    format!("documents/{}/{owner_id}/{document_id}", owner.as_str())
}

/// The document id an object key belongs to (for the orphan sweep).
pub fn document_id_of_key(key: &str) -> Option<&str> {
    key.strip_prefix("documents/")?
        .rsplit('/')
        .next()
        .filter(|id| !id.is_empty())
}

/// A file name safe to store and show: path parts, control characters and quotes removed,
/// at most 120 characters.
pub fn clean_file_name(raw: Option<&str>) -> String {
    let base = raw.unwrap_or("").rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .take(120)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_owned()
    }
}

/// The name a file downloads under: the uploaded name with the extension of the detected
/// content (a PDF uploaded as `poly.html` downloads as `poly.pdf`), so no browser or desktop
/// opens it as something else.
pub fn download_name(file_name: &str, content_type: &str) -> String {
    let extension = match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        _ => "bin",
    };
    let stem = match file_name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem,
        _ => file_name,
    };
    format!("{stem}.{extension}")
}

/// What a signed link grants, as the string its HMAC covers.
pub fn link_payload(action: &str, document_id: &str, expires_ms: i64) -> String {
    format!("{action}\n{document_id}\n{expires_ms}")
}

/// Who may read a face photo (an ID portrait or a selfie, whatever flow it served): least
/// privilege on biometrics (issue 13). Other documents follow the caller's bounds alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceReach {
    /// The person whose face it is: their own photos.
    Own(PersonId),
    /// District staff: the check-in selfies of verification tasks in their district, whose
    /// check-ins they review.
    District(String),
    /// City staff: every check-in selfie (they review check-ins city-wide), and the
    /// registration photos of a registration held for review and of the identities it
    /// matched, while it is held (they decide it).
    City,
    /// Everyone else (system administrators, supervisors, enterprises): no face at all.
    Nothing,
}

impl Purpose {
    /// Whether documents of this purpose show a person's face.
    pub fn is_face(self) -> bool {
        matches!(self, Purpose::IdPortrait | Purpose::Selfie)
    }
}

/// The faces a caller may read: the person their own; city and district staff those they
/// decide about in their jurisdiction; a system administrator, who administers accounts, a
/// supervisor and an enterprise none.
pub fn face_reach(role: Role, scope: &Scope) -> FaceReach {
    match (role, scope) {
        (Role::Person, Scope::Person(id)) => FaceReach::Own(id.clone()),
        (Role::City, Scope::City) => FaceReach::City,
        (Role::District, Scope::District(code)) => FaceReach::District(code.clone()),
        _ => FaceReach::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_reach_only_the_person_and_the_deciding_staff() {
        let district = Scope::District("370102".into());
        let person = Scope::Person("p".into());
        assert_eq!(face_reach(Role::Person, &person), FaceReach::Own("p".into()));
        assert_eq!(face_reach(Role::City, &Scope::City), FaceReach::City);
        assert_eq!(
            face_reach(Role::District, &district),
            FaceReach::District("370102".into())
        );
        assert_eq!(face_reach(Role::Sysadmin, &Scope::City), FaceReach::Nothing);
        assert_eq!(face_reach(Role::Supervisor, &district), FaceReach::Nothing);
        assert_eq!(face_reach(Role::Supervisor, &Scope::City), FaceReach::Nothing);
        assert_eq!(
            face_reach(Role::Enterprise, &Scope::Enterprise("e".into())),
            FaceReach::Nothing
        );
        // A token whose role and scope disagree reaches nothing.
        assert_eq!(face_reach(Role::District, &Scope::City), FaceReach::Nothing);
        assert!(Purpose::IdPortrait.is_face() && Purpose::Selfie.is_face());
        assert!(!Purpose::CertificateScan.is_face() && !Purpose::BusinessLicence.is_face());
    }

    #[test]
    fn formats_are_recognised_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%\xE2\xE3"), Some(Format::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1]),
            Some(Format::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Format::Png));
        assert_eq!(sniff(b"\0\0\0\x20ftypisom\0\0\x02\0"), Some(Format::Mp4));
        assert_eq!(sniff(b"\0\0\0\x14ftypqt  \0\0\0\0"), Some(Format::QuickTime));
        assert_eq!(sniff(b"\0\0\0\x08wide\0\0\0\0"), Some(Format::QuickTime));
        assert_eq!(sniff(b"PK\x03\x04 a zip file"), None);
        assert_eq!(sniff(b"<html><body>"), None);
        assert_eq!(sniff(b"%PD"), None);
    }

    #[test]
    fn downloads_are_named_for_their_content() {
        assert_eq!(download_name("poly.html", "application/pdf"), "poly.pdf");
        assert_eq!(download_name("scan.PDF", "application/pdf"), "scan.pdf");
        assert_eq!(download_name("a.b.exe", "image/png"), "a.b.png");
        assert_eq!(download_name(".htaccess", "image/jpeg"), ".htaccess.jpg");
        assert_eq!(download_name("file", "video/mp4"), "file.mp4");
    }

    #[test]
    fn purposes_decide_owner_and_formats() {
        assert_eq!(Purpose::Selfie.owner(), OwnerKind::Person);
        assert_eq!(Purpose::MaterialScan.owner(), OwnerKind::Enterprise);
        assert!(!Purpose::MaterialScan.allowed().contains(&Format::Jpeg));
        assert!(Purpose::BusinessLicence.allowed().contains(&Format::Png));
        assert_eq!(Purpose::parse("enterprise_video"), Some(Purpose::EnterpriseVideo));
        assert_eq!(Purpose::parse("anything"), None);
        let limits = crate::platform::config::Settings::default().uploads;
        assert_eq!(
            Purpose::BusinessLicence.max_bytes(&limits),
            limits.pdf_max_bytes.max(limits.image_max_bytes)
        );
        assert_eq!(Purpose::Selfie.allowed_names(), "JPEG, PNG");
    }

    #[test]
    fn pdf_completeness() {
        assert!(pdf_is_complete(b"...trailer\n<<>>\nstartxref\n123\n%%EOF\n"));
        assert!(!pdf_is_complete(b"...stream\nx\x9c\x03\x00"));
    }

    #[test]
    fn lifecycle() {
        assert_eq!(may_delete(DocState::Available), Ok(()));
        assert_eq!(may_delete(DocState::Locked), Err(DocRule::Locked));
        assert_eq!(may_read_content(DocState::Pending), Err(DocRule::NotCompleted));
        assert_eq!(may_complete(DocState::Available), Err(DocRule::AlreadyCompleted));
    }

    #[test]
    fn keys_and_names() {
        let key = object_key(OwnerKind::Enterprise, "e1", "d1");
        assert_eq!(key, "documents/enterprise/e1/d1");
        assert_eq!(document_id_of_key(&key), Some("d1"));
        assert_eq!(document_id_of_key("other/x"), None);
        assert_eq!(clean_file_name(Some("C:\\scans\\营业执照.pdf")), "营业执照.pdf");
        assert_eq!(clean_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_file_name(Some("a\"b\n.pdf")), "ab.pdf");
        assert_eq!(clean_file_name(None), "file");
    }
}
