//! Identity assurance: how a person's identity was established, recorded and enforced.
//!
//! Levels, weakest first (`AssuranceLevel`, settings `identity.min_level_*`):
//! - `self_declared`: registration, the person's own ID portrait and live selfie matched by the
//!   local engine. Every registered person has it; it proves only that the two photos show one
//!   face, not that the face is the ID holder's.
//! - `staff_verified`: a staff member at the authority's desk (city or district) compared the
//!   ID card with the person in front of them and with the registration (full ID number and
//!   name as on the card), and the person showed a desk code from their own account, so the
//!   account verified is the one of the person at the desk (`desk.rs`).
//! - `wechat_verified`: WeChat's face verification (人脸核身) passed against the national
//!   database for the registered name and ID number (`wechat.rs`).
//!
//! A level only rises: each act that raised it is a row (`identity_assurances`) naming the path
//! taken, with who (desk) or the verify_id (WeChat); the person's level is the highest.

pub mod desk;
pub mod store;
pub mod wechat;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::platform::config::AssuranceLevel;
use crate::platform::config::FaceMethods;
use crate::platform::db::Executor;
use crate::platform::error::{ApiError, ApiResult};
use crate::platform::ids::PersonId;
use crate::state::AppState;

pub use wechat::check_wechat_face;

impl AssuranceLevel {
    pub const ALL: [AssuranceLevel; 3] = [
        AssuranceLevel::SelfDeclared,
        AssuranceLevel::StaffVerified,
        AssuranceLevel::WechatVerified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssuranceLevel::SelfDeclared => "self_declared",
            AssuranceLevel::StaffVerified => "staff_verified",
            AssuranceLevel::WechatVerified => "wechat_verified",
        }
    }

    pub fn parse(s: &str) -> Option<AssuranceLevel> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    fn names(self) -> (&'static str, &'static str) {
        match self {
            AssuranceLevel::SelfDeclared => ("自行登记", "self-declared"),
            AssuranceLevel::StaffVerified => ("窗口核验", "verified at the authority's desk"),
            AssuranceLevel::WechatVerified => ("微信人脸核身", "verified by WeChat face verification"),
        }
    }
}

/// What a WeChat face verification session is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WechatPurpose {
    /// Establishing the identity: a pass makes the person `wechat_verified`.
    Identity,
    /// The face check of one check-in (target: the verification task).
    CheckIn,
    /// The face check of accepting one employment request (target: the request).
    EmploymentAccept,
}

impl WechatPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            WechatPurpose::Identity => "identity",
            WechatPurpose::CheckIn => "check_in",
            WechatPurpose::EmploymentAccept => "employment_accept",
        }
    }

    pub fn parse(s: &str) -> Option<WechatPurpose> {
        [
            WechatPurpose::Identity,
            WechatPurpose::CheckIn,
            WechatPurpose::EmploymentAccept,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// A person's level as shown in their profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Assurance {
    pub level: AssuranceLevel,
    /// When the current level was established (Unix ms); `None` for `self_declared`, which
    /// dates from the registration.
    pub established_at: Option<i64>,
}

/// The rule: the level is the highest one any act established, `self_declared` without any.
pub fn current(acts: &[(AssuranceLevel, i64)]) -> Assurance {
    acts.iter()
        .max_by_key(|(level, at)| (*level, std::cmp::Reverse(*at)))
        .map(|&(level, at)| Assurance {
            level,
            established_at: Some(at),
        })
        .unwrap_or(Assurance {
            level: AssuranceLevel::SelfDeclared,
            established_at: None,
        })
}

/// The person's current level (a registered person's; the caller knows they are registered).
pub async fn assurance_of(db: impl Executor<'_>, person: &PersonId) -> Result<Assurance, sqlx::Error> {
    Ok(current(&store::levels(db, person).await?))
}

/// The rule: an act needing `minimum` is refused below it, with what the person can do
/// (the desk always; WeChat's face verification where the deployment has it).
pub fn require(level: AssuranceLevel, minimum: AssuranceLevel, methods: FaceMethods) -> ApiResult<()> {
    if level >= minimum {
        return Ok(());
    }
    let (has_zh, has_en) = level.names();
    let (needs_zh, needs_en) = minimum.names();
    let (todo_zh, todo_en) = match (minimum, methods.wechat()) {
        (AssuranceLevel::WechatVerified, _) => (
            "请在小程序中完成微信人脸核身",
            "complete WeChat face verification in the mini-program",
        ),
        (_, true) => (
            "请携带身份证原件到住建主管部门窗口核验身份，或在小程序中完成微信人脸核身",
            "bring your ID card to the housing authority's desk to be verified, or complete WeChat face verification in the mini-program",
        ),
        (_, false) => (
            "请携带身份证原件到住建主管部门窗口核验身份",
            "bring your ID card to the housing authority's desk to be verified",
        ),
    };
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "identity.assurance_too_low",
        format!("您的身份核验等级为「{has_zh}」，本操作要求「{needs_zh}」：{todo_zh}"),
        format!("Your identity is {has_en}; this needs it {needs_en} or better: {todo_en}"),
    ))
}

/// Refuses an act of `person` below `minimum` (`identity.assurance_too_low`).
pub async fn require_level(state: &AppState, person: &PersonId, minimum: AssuranceLevel) -> ApiResult<()> {
    if minimum == AssuranceLevel::SelfDeclared {
        return Ok(());
    }
    let level = assurance_of(&state.db, person).await?.level;
    require(level, minimum, state.settings.identity.face_methods)
}

/// The face evidence a face-checked act was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaceChoice<S, V> {
    Selfie(S),
    Wechat(V),
}

/// The rule: exactly one of a selfie and a WeChat verify_id, of a kind the deployment takes
/// (`identity.face_methods`).
pub fn choose<S, V>(methods: FaceMethods, selfie: Option<S>, verify_id: Option<V>) -> ApiResult<FaceChoice<S, V>> {
    let refuse = |code, zh: &str, en: &str| {
        let mut invalid = crate::platform::error::Invalid::default();
        invalid.field("verify_id", code, zh.to_owned(), en.to_owned());
        invalid.finish().unwrap_err()
    };
    match (selfie, verify_id) {
        (Some(selfie), None) if methods.local() => Ok(FaceChoice::Selfie(selfie)),
        (None, Some(verify_id)) if methods.wechat() => Ok(FaceChoice::Wechat(verify_id)),
        (Some(_), None) => Err(refuse(
            "face.selfie_not_accepted",
            "本系统以微信人脸核身核验人脸，请完成微信人脸核身后提交 verify_id",
            "Faces are checked with WeChat face verification here; complete it and send its verify_id",
        )),
        (None, Some(_)) => Err(refuse(
            "wechat_face.not_enabled",
            "本系统未启用微信人脸核身，请提交现场自拍照",
            "WeChat face verification is not enabled here; send a live selfie",
        )),
        _ => Err(refuse(
            "face.evidence_required",
            "请提交现场自拍照（selfie_document_id）或微信人脸核身（verify_id）其中之一",
            "Send either a live selfie (selfie_document_id) or a WeChat face verification (verify_id), not both",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssuranceLevel::*;

    #[test]
    fn the_level_is_the_highest_established() {
        assert_eq!(current(&[]).level, SelfDeclared);
        assert_eq!(current(&[]).established_at, None);
        let acts = [(StaffVerified, 5), (WechatVerified, 9), (StaffVerified, 12)];
        assert_eq!(
            current(&acts),
            Assurance {
                level: WechatVerified,
                established_at: Some(9)
            }
        );
        // Established twice at one level: since the first time.
        assert_eq!(
            current(&[(StaffVerified, 12), (StaffVerified, 5)]).established_at,
            Some(5)
        );
    }

    #[test]
    fn levels_are_ordered_and_round_trip() {
        assert!(SelfDeclared < StaffVerified && StaffVerified < WechatVerified);
        for level in AssuranceLevel::ALL {
            assert_eq!(AssuranceLevel::parse(level.as_str()), Some(level));
        }
    }

    #[test]
    fn below_the_minimum_is_refused_with_what_to_do() {
        assert!(require(StaffVerified, StaffVerified, FaceMethods::Local).is_ok());
        assert!(require(WechatVerified, StaffVerified, FaceMethods::Local).is_ok());
        let refused = require(SelfDeclared, StaffVerified, FaceMethods::Local).unwrap_err();
        assert_eq!(refused.code, "identity.assurance_too_low");
        let text = format!("{:?}", refused.message);
        assert!(text.contains("窗口") && !text.contains("微信"), "{text}");
        let both = format!(
            "{:?}",
            require(SelfDeclared, StaffVerified, FaceMethods::Both)
                .unwrap_err()
                .message
        );
        assert!(both.contains("窗口") && both.contains("微信人脸核身"), "{both}");
        let wechat = format!(
            "{:?}",
            require(StaffVerified, WechatVerified, FaceMethods::Both)
                .unwrap_err()
                .message
        );
        assert!(
            wechat.contains("微信人脸核身") && !wechat.contains("窗口核验身份"),
            "{wechat}"
        );
    }

    #[test]
    fn one_kind_of_evidence_the_deployment_takes() {
        let choose = |m, s: Option<u8>, v: Option<u8>| choose(m, s, v).map_err(|e| e.fields[0].code);
        assert_eq!(choose(FaceMethods::Local, Some(1), None), Ok(FaceChoice::Selfie(1)));
        assert_eq!(choose(FaceMethods::Wechat, None, Some(2)), Ok(FaceChoice::Wechat(2)));
        assert_eq!(choose(FaceMethods::Both, Some(1), None), Ok(FaceChoice::Selfie(1)));
        assert_eq!(choose(FaceMethods::Both, None, Some(2)), Ok(FaceChoice::Wechat(2)));
        assert_eq!(
            choose(FaceMethods::Wechat, Some(1), None),
            Err("face.selfie_not_accepted")
        );
        assert_eq!(
            choose(FaceMethods::Local, None, Some(2)),
            Err("wechat_face.not_enabled")
        );
        assert_eq!(
            choose(FaceMethods::Both, Some(1), Some(2)),
            Err("face.evidence_required")
        );
        assert_eq!(choose(FaceMethods::Both, None, None), Err("face.evidence_required"));
    }
}
