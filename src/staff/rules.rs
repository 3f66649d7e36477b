//! Staff rules, as pure functions.

use crate::auth::Role;
use crate::platform::error::ApiError;
use axum::http::StatusCode;

#[derive(Debug, PartialEq, Eq)]
pub enum StaffRule {
    NotStaff,
    DistrictNeedsCode,
    CityWideHasNoDistrict,
    NotAllowedToCreate,
    OutsideDistrict,
}

impl StaffRule {
    pub fn into_error(self) -> ApiError {
        let (status, code, zh, en) = match self {
            StaffRule::NotStaff => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "staff.role_invalid",
                "角色须为 city、district、supervisor 或 sysadmin",
                "The role must be city, district, supervisor or sysadmin",
            ),
            StaffRule::DistrictNeedsCode => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "staff.district_required",
                "区（市）主管部门账号必须指定行政区划代码",
                "A district account needs a district code",
            ),
            StaffRule::CityWideHasNoDistrict => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "staff.district_not_allowed",
                "市级和系统管理员账号不属于某个区",
                "City and sysadmin accounts are not bound to a district",
            ),
            StaffRule::NotAllowedToCreate => (
                StatusCode::FORBIDDEN,
                "staff.creation_not_allowed",
                "您的角色不能创建该角色的账号",
                "Your role cannot create accounts of that role",
            ),
            StaffRule::OutsideDistrict => (
                StatusCode::FORBIDDEN,
                "staff.outside_jurisdiction",
                "只能在本辖区内创建账号",
                "You can only create accounts in your own district",
            ),
        };
        ApiError::new(status, code, zh, en)
    }
}

/// Whether a staff member may create an account of `role` in `district`.
///
/// Jurisdiction (DOMAIN.md §6, "Jurisdiction"): a sysadmin creates any account; the city station
/// creates city, district and supervisor accounts; a district authority creates district and
/// supervisor accounts in its own district only; supervisors create none. District accounts
/// need a district code; city and sysadmin accounts have none; supervisors may have one.
pub fn may_create(
    creator: Role,
    creator_district: Option<&str>,
    role: Role,
    district: Option<&str>,
) -> Result<(), StaffRule> {
    if !role.is_staff() {
        return Err(StaffRule::NotStaff);
    }
    match (role, district) {
        (Role::District, None) => return Err(StaffRule::DistrictNeedsCode),
        (Role::City | Role::Sysadmin, Some(_)) => return Err(StaffRule::CityWideHasNoDistrict),
        _ => {}
    }
    match creator {
        Role::Sysadmin => Ok(()),
        Role::City if role != Role::Sysadmin => Ok(()),
        Role::District if matches!(role, Role::District | Role::Supervisor) => {
            if district.is_some() && district == creator_district {
                Ok(())
            } else {
                Err(StaffRule::OutsideDistrict)
            }
        }
        _ => Err(StaffRule::NotAllowedToCreate),
    }
}

/// Why an account may not be disabled, enabled, unlocked or given a new password.
#[derive(Debug, PartialEq, Eq)]
pub enum ManageRule {
    OwnAccount,
    NotAllowed,
}

impl ManageRule {
    pub fn into_error(self) -> ApiError {
        match self {
            ManageRule::OwnAccount => ApiError::new(
                StatusCode::CONFLICT,
                "staff.own_account",
                "不能停用、启用、解锁或重置自己的账号；修改自己的密码请用“修改密码”",
                "You cannot disable, enable, unlock or reset your own account; change your own password instead",
            ),
            ManageRule::NotAllowed => ApiError::new(
                StatusCode::FORBIDDEN,
                "staff.manage_not_allowed",
                "您的角色不能管理该账号",
                "Your role cannot manage that account",
            ),
        }
    }
}

/// Whether a staff member may manage (disable, enable, unlock, reset the password of) an
/// account of `role` in `district`: one they could create (`may_create`, DOMAIN.md §6
/// "Jurisdiction"), never their own, so the last administrator cannot lock themselves out.
pub fn may_manage(
    actor: Role,
    actor_district: Option<&str>,
    own: bool,
    role: Role,
    district: Option<&str>,
) -> Result<(), ManageRule> {
    if own {
        return Err(ManageRule::OwnAccount);
    }
    may_create(actor, actor_district, role, district).map_err(|_| ManageRule::NotAllowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    #[test]
    fn jurisdiction_of_staff_creation() {
        assert_eq!(may_create(Sysadmin, None, Sysadmin, None), Ok(()));
        assert_eq!(may_create(Sysadmin, None, District, Some("370102")), Ok(()));
        assert_eq!(may_create(City, None, District, Some("370102")), Ok(()));
        assert_eq!(may_create(City, None, Supervisor, None), Ok(()));
        assert_eq!(
            may_create(City, None, Sysadmin, None),
            Err(StaffRule::NotAllowedToCreate)
        );
        assert_eq!(may_create(District, Some("370102"), Supervisor, Some("370102")), Ok(()));
        assert_eq!(
            may_create(District, Some("370102"), District, Some("370103")),
            Err(StaffRule::OutsideDistrict)
        );
        assert_eq!(
            may_create(District, Some("370102"), Supervisor, None),
            Err(StaffRule::OutsideDistrict)
        );
        assert_eq!(
            may_create(District, Some("370102"), City, None),
            Err(StaffRule::NotAllowedToCreate)
        );
        assert_eq!(
            may_create(Supervisor, None, Supervisor, None),
            Err(StaffRule::NotAllowedToCreate)
        );
        assert_eq!(
            may_create(Sysadmin, None, District, None),
            Err(StaffRule::DistrictNeedsCode)
        );
        assert_eq!(
            may_create(Sysadmin, None, City, Some("370102")),
            Err(StaffRule::CityWideHasNoDistrict)
        );
        assert_eq!(may_create(Sysadmin, None, Enterprise, None), Err(StaffRule::NotStaff));
    }

    #[test]
    fn jurisdiction_of_managing() {
        assert_eq!(may_manage(Sysadmin, None, false, City, None), Ok(()));
        assert_eq!(
            may_manage(Sysadmin, None, true, Sysadmin, None),
            Err(ManageRule::OwnAccount)
        );
        assert_eq!(may_manage(City, None, false, District, Some("370102")), Ok(()));
        assert_eq!(
            may_manage(City, None, false, Sysadmin, None),
            Err(ManageRule::NotAllowed)
        );
        assert_eq!(
            may_manage(District, Some("370102"), false, Supervisor, Some("370102")),
            Ok(())
        );
        assert_eq!(
            may_manage(District, Some("370102"), false, Supervisor, Some("370103")),
            Err(ManageRule::NotAllowed)
        );
        assert_eq!(
            may_manage(District, Some("370102"), false, City, None),
            Err(ManageRule::NotAllowed)
        );
        assert_eq!(
            may_manage(Supervisor, None, false, Supervisor, None),
            Err(ManageRule::NotAllowed)
        );
    }
}
