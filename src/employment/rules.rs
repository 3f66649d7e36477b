//! Employment rules, as pure functions.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::platform::error::ApiError;
use crate::platform::types::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Pending,
    Accepted,
    Refused,
    Expired,
    Withdrawn,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Accepted => "accepted",
            RequestState::Refused => "refused",
            RequestState::Expired => "expired",
            RequestState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<RequestState> {
        [
            RequestState::Pending,
            RequestState::Accepted,
            RequestState::Refused,
            RequestState::Expired,
            RequestState::Withdrawn,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Refuse,
    Withdraw,
}

#[derive(Debug, PartialEq, Eq)]
pub enum EmploymentRule {
    /// Only a pending request can be answered or withdrawn.
    NotPending(RequestState),
    ContractEndsBeforeStart,
    ContractAlreadyOver,
    ContractTooLong(u32),
    /// The person answers only in the mini-program (seed 003: the web can only view it).
    MiniProgramOnly,
    AlreadyEnded,
}

impl EmploymentRule {
    pub fn into_error(self) -> ApiError {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match self {
            EmploymentRule::NotPending(state) => ApiError::conflict(
                "employment.request_not_pending",
                format!("该聘用请求已是“{}”状态，不能再处理", state.as_str()),
                format!(
                    "The request is already {}; it can no longer be answered",
                    state.as_str()
                ),
            ),
            EmploymentRule::ContractEndsBeforeStart => ApiError::new(
                unprocessable,
                "employment.contract_period_invalid",
                "合同结束日期须晚于开始日期",
                "The contract must end after it starts",
            ),
            EmploymentRule::ContractAlreadyOver => ApiError::new(
                unprocessable,
                "employment.contract_period_invalid",
                "合同结束日期已过",
                "The contract's end date has passed",
            ),
            EmploymentRule::ContractTooLong(years) => ApiError::new(
                unprocessable,
                "employment.contract_period_invalid",
                format!("合同期不能超过 {years} 年"),
                format!("A contract period cannot exceed {years} years"),
            ),
            EmploymentRule::MiniProgramOnly => ApiError::new(
                StatusCode::FORBIDDEN,
                "employment.mini_program_only",
                "请在小程序中经人脸核验后确认聘用关系",
                "Employment is confirmed only in the mini-program, with a face check",
            ),
            EmploymentRule::AlreadyEnded => ApiError::conflict(
                "employment.already_ended",
                "该聘用关系已解除",
                "This employment has already ended",
            ),
        }
    }
}

/// The state a request moves to when answered; only pending requests can be answered.
pub fn decide(state: RequestState, decision: Decision) -> Result<RequestState, EmploymentRule> {
    match (state, decision) {
        (RequestState::Pending, Decision::Accept) => Ok(RequestState::Accepted),
        (RequestState::Pending, Decision::Refuse) => Ok(RequestState::Refused),
        (RequestState::Pending, Decision::Withdraw) => Ok(RequestState::Withdrawn),
        (other, _) => Err(EmploymentRule::NotPending(other)),
    }
}

/// The contract period (合同聘用期) must end after it starts, not lie wholly in the past, and
/// last at most `max_years`.
pub fn check_contract(start: Date, end: Date, today: Date, max_years: u32) -> Result<(), EmploymentRule> {
    if end <= start {
        return Err(EmploymentRule::ContractEndsBeforeStart);
    }
    if end < today {
        return Err(EmploymentRule::ContractAlreadyOver);
    }
    let limit = Date {
        year: start.year + max_years,
        ..start
    };
    if end > limit {
        return Err(EmploymentRule::ContractTooLong(max_years));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn only_pending_requests_are_answered() {
        assert_eq!(
            decide(RequestState::Pending, Decision::Accept),
            Ok(RequestState::Accepted)
        );
        assert_eq!(
            decide(RequestState::Pending, Decision::Refuse),
            Ok(RequestState::Refused)
        );
        assert_eq!(
            decide(RequestState::Refused, Decision::Accept),
            Err(EmploymentRule::NotPending(RequestState::Refused))
        );
        assert_eq!(
            decide(RequestState::Expired, Decision::Refuse),
            Err(EmploymentRule::NotPending(RequestState::Expired))
        );
    }

    #[test]
    fn contract_periods() {
        let today = d("2026-11-21");
        assert_eq!(check_contract(d("2026-12-01"), d("2027-11-30"), today, 10), Ok(()));
        assert_eq!(
            check_contract(d("2025-01-01"), d("2026-11-21"), today, 10),
            Ok(()),
            "ends today"
        );
        assert_eq!(
            check_contract(d("2027-01-01"), d("2026-12-01"), today, 10),
            Err(EmploymentRule::ContractEndsBeforeStart)
        );
        assert_eq!(
            check_contract(d("2026-01-01"), d("2026-01-01"), today, 10),
            Err(EmploymentRule::ContractEndsBeforeStart)
        );
        assert_eq!(
            check_contract(d("2024-01-01"), d("2025-12-31"), today, 10),
            Err(EmploymentRule::ContractAlreadyOver)
        );
        assert_eq!(check_contract(d("2026-01-01"), d("2036-01-01"), today, 10), Ok(()));
        assert_eq!(
            check_contract(d("2026-01-01"), d("2036-01-02"), today, 10),
            Err(EmploymentRule::ContractTooLong(10))
        );
    }
}
