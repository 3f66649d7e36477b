//! What the demo has made so far: the API it talks to, its clock, and the accounts it signed
//! in with (tokens are signed in again after the clock moves, as a client would).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use super::client::Api;
use super::photos::Photos;
use crate::platform::clock::{system_now_ms, Clock, ManualClock};
use crate::platform::types::Date;
use crate::AppState;

pub struct Enterprise {
    pub id: String,
    pub code: String,
    pub name: &'static str,
    pub district: &'static str,
    pub password: String,
    pub token: String,
}

pub struct Person {
    pub name: &'static str,
    pub id_number: String,
    pub wechat_code: &'static str,
    pub token: String,
}

pub struct World {
    pub api: Api,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub photos: Photos,
    /// Staff tokens by username.
    pub staff: BTreeMap<&'static str, String>,
    pub enterprises: Vec<Enterprise>,
    pub people: Vec<Person>,
}

impl World {
    pub fn new(api: Api, state: AppState, clock: Arc<ManualClock>) -> World {
        World {
            api,
            state,
            clock,
            photos: Photos::default(),
            staff: BTreeMap::new(),
            enterprises: Vec::new(),
            people: Vec::new(),
        }
    }

    /// A staff member's token.
    pub fn staff(&self, username: &str) -> &str {
        self.staff.get(username).map(String::as_str).unwrap_or_default()
    }

    /// Today in China on the demo's clock.
    pub fn today(&self) -> Date {
        Date::today_in_china(self.clock.now_ms())
    }

    /// Moves the clock on by `days`, lets the close job decide what is overdue (as it would
    /// in the server), and signs everybody in again (their tokens expired meanwhile).
    pub async fn advance_days(&mut self, days: i64) -> anyhow::Result<usize> {
        self.clock.advance_secs(days * 86_400);
        let closed = crate::verification::outcomes::close_overdue(&self.state).await?;
        self.sign_in_again().await?;
        Ok(closed)
    }

    /// Brings the clock to `minutes` before the real time, so what is made from now on is
    /// dated today (and never ahead of the server that serves it later).
    pub async fn catch_up(&mut self, minutes: i64) -> anyhow::Result<()> {
        let behind = (system_now_ms() - self.clock.now_ms()) / 1000 - minutes * 60;
        self.clock.advance_secs(behind.max(0));
        self.sign_in_again().await
    }

    async fn sign_in_again(&mut self) -> anyhow::Result<()> {
        for (username, token) in self.staff.iter_mut() {
            *token = staff_token(&self.api, username).await?;
        }
        for enterprise in &mut self.enterprises {
            let body = json!({"credit_code": enterprise.code, "password": enterprise.password});
            enterprise.token = self.api.sign_in("/auth/enterprise/login", body).await?;
        }
        for person in &mut self.people {
            person.token = person_token(&self.api, person.wechat_code).await?;
        }
        Ok(())
    }
}

pub async fn staff_token(api: &Api, username: &str) -> anyhow::Result<String> {
    let body = json!({"username": username, "password": super::city::STAFF_PASSWORD});
    api.sign_in("/auth/staff/login", body).await
}

/// Signs in through the mini-program login: on the development profile without a WeChat app
/// id, the login code stands for the person (the development stand-in the binary ships).
pub async fn person_token(api: &Api, code: &str) -> anyhow::Result<String> {
    api.sign_in("/auth/wechat/login", json!({"code": code})).await
}
