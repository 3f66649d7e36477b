//! Access tokens are JWTs signed with HS256 only (the algorithm is pinned: a token naming any
//! other, `none` included, is refused). Their expiry is checked against the app's `Clock`.
//! Refresh tokens are opaque random strings; the database keeps only their SHA-256.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as B64URL, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Channel, Role, Scope};
use crate::platform::config::AuthSettings;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub role: Role,
    /// `Scope::encode`
    pub scope: String,
    /// `Channel::as_str`
    pub chn: String,
    /// The session (refresh-token family) the token belongs to; an ended session's tokens
    /// are refused (`auth::sessions`).
    pub sid: String,
}

/// Who a token is issued to.
#[derive(Debug, Clone)]
pub struct Subject {
    pub account_id: String,
    pub role: Role,
    pub scope: Scope,
    pub channel: Channel,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Invalid,
    Expired,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    access_ttl_secs: i64,
    refresh_ttl_secs: i64,
}

const ALGORITHM: Algorithm = Algorithm::HS256;

impl TokenKeys {
    /// Keys over `secret` (refused when empty). Uses jsonwebtoken's pure-Rust (RustCrypto)
    /// backend, installed here so that no other crate's choice of backend can change it.
    pub fn new(secret: &[u8], auth: &AuthSettings) -> Result<Self, jsonwebtoken::errors::Error> {
        // Already installed (by an earlier call) is fine.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[&auth.issuer]);
        validation.set_audience(&[&auth.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked against the injectable clock in `verify`.
        validation.validate_exp = false;
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            issuer: auth.issuer.clone(),
            audience: auth.audience.clone(),
            access_ttl_secs: auth.access_token_ttl_secs,
            refresh_ttl_secs: auth.refresh_token_ttl_secs,
        })
    }

    pub fn access_ttl_secs(&self) -> i64 {
        self.access_ttl_secs
    }

    pub fn refresh_ttl_secs(&self) -> i64 {
        self.refresh_ttl_secs
    }

    pub fn issue(&self, subject: &Subject, session: &str, now_ms: i64) -> String {
        let now = now_ms / 1000;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: subject.account_id.clone(),
            iat: now,
            exp: now + self.access_ttl_secs,
            jti: uuid::Uuid::now_v7().simple().to_string(),
            role: subject.role,
            scope: subject.scope.encode(),
            chn: subject.channel.as_str().into(),
            sid: session.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(ALGORITHM), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// The token's subject and session.
    pub fn verify(&self, token: &str, now_ms: i64) -> Result<(Subject, String), TokenError> {
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|_| TokenError::Invalid)?;
        let claims = data.claims;
        if claims.exp * 1000 <= now_ms {
            return Err(TokenError::Expired);
        }
        let scope = Scope::decode(&claims.scope).ok_or(TokenError::Invalid)?;
        let channel = Channel::parse(&claims.chn).ok_or(TokenError::Invalid)?;
        let subject = Subject {
            account_id: claims.sub,
            role: claims.role,
            scope,
            channel,
        };
        Ok((subject, claims.sid))
    }
}

/// A new opaque refresh token (256 random bits) and the hash to store.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = B64URL.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::config::Settings;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 32], &Settings::default().auth).unwrap()
    }

    fn subject() -> Subject {
        Subject {
            account_id: "a1".into(),
            role: Role::District,
            scope: Scope::District("370102".into()),
            channel: Channel::Web,
        }
    }

    #[test]
    fn tokens_round_trip_and_expire_by_the_clock() {
        let keys = keys();
        let now = 1_800_000_000_000;
        let token = keys.issue(&subject(), "s1", now);
        let (back, session) = keys.verify(&token, now + 1000).unwrap();
        assert_eq!(back.scope, Scope::District("370102".into()));
        assert_eq!(session, "s1");
        assert_eq!(
            keys.verify(&token, now + keys.access_ttl_secs() * 1000).unwrap_err(),
            TokenError::Expired
        );
    }

    #[test]
    fn other_keys_algorithms_and_audiences_are_refused() {
        let keys = keys();
        let now = 1_800_000_000_000;
        let other = TokenKeys::new(&[8u8; 32], &Settings::default().auth).unwrap();
        assert!(keys.verify(&other.issue(&subject(), "s1", now), now).is_err());

        let mut auth = Settings::default().auth;
        auth.audience = "someone-else".into();
        let foreign = TokenKeys::new(&[7u8; 32], &auth).unwrap();
        assert!(keys.verify(&foreign.issue(&subject(), "s1", now), now).is_err());

        // Same key, but HS384 in the header: the pinned algorithm refuses it.
        let claims =
            jsonwebtoken::decode::<Claims>(&keys.issue(&subject(), "s1", now), &keys.decoding, &keys.validation)
                .unwrap()
                .claims;
        let hs384 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS384),
            &claims,
            &EncodingKey::from_secret(&[7u8; 32]).unwrap(),
        )
        .unwrap();
        assert!(keys.verify(&hs384, now).is_err());

        // An unsigned token.
        let token = keys.issue(&subject(), "s1", now);
        let payload = token.split('.').nth(1).unwrap();
        let none_header = B64URL.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{none_header}.{payload}."), now).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let (a, ha) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_ne!(a, b);
        assert_eq!(hash_refresh_token(&a), ha);
        assert_eq!(a.len(), 43);
    }
}
