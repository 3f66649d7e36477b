//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes, 1 lane, as OWASP
//! recommends). Hashing is CPU work and runs off the async threads.

use std::sync::OnceLock;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

use crate::platform::error::ApiError;

pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(ApiError::internal)
}

pub fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored hash. With no stored hash (unknown account) it checks
/// against a throw-away hash, so that answering takes as long as for a real account.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(ApiError::internal)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_now("not-a-real-password-0"))
}

/// A random initial password of 12 letters and digits (ambiguous characters left out), with at
/// least one of each so it meets the password policy.
pub fn generate() -> String {
    const LETTERS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut rng = rand::thread_rng();
    loop {
        let password: String = (0..12)
            .map(|_| {
                let pool = if rng.gen_bool(0.3) { DIGITS } else { LETTERS };
                pool[rng.gen_range(0..pool.len())] as char
            })
            .collect();
        if crate::platform::types::NewPassword::parse(&password).is_ok() {
            return password;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let h = hash("correct horse 1".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse 1".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse 1".into(), Some(h)).await.unwrap());
        assert!(!verify("not-a-real-password-0".into(), None).await.unwrap());
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        for _ in 0..50 {
            assert!(crate::platform::types::NewPassword::parse(&generate()).is_ok());
        }
    }
}
