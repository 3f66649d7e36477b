//! Keys derived from the configured secrets. Each use gets its own key, derived from the
//! token secret by HMAC with the use's name, so that one leaked derived key exposes nothing
//! else.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub struct Keys {
    token: Vec<u8>,
    /// AES-256-GCM key for personal data (ID numbers, face descriptors).
    pub data: [u8; 32],
}

impl Keys {
    pub fn new(token: Vec<u8>, data: [u8; 32]) -> Self {
        Keys { token, data }
    }

    pub fn token_secret(&self) -> &[u8] {
        &self.token
    }

    /// HMAC-SHA256 of `message` under the key derived for `purpose`, as hex.
    pub fn mac(&self, purpose: &str, message: &str) -> String {
        hex::encode(self.mac_bytes(purpose, message.as_bytes()))
    }

    pub fn mac_bytes(&self, purpose: &str, message: &[u8]) -> Vec<u8> {
        let derived = hmac(&self.token, purpose.as_bytes());
        hmac(&derived, message)
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
