//! Keys derived from the configured secrets. Each use gets its own key, derived from the
//! token secret by HMAC with the use's name, so that one leaked derived key exposes nothing
//! else.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use hmac::{Hmac, Mac};
use rand::RngCore;
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

/// Prefix of sealed values, so the scheme can change without ambiguity.
const SEALED_V1: &str = "v1:";

impl Keys {
    /// Encrypts personal data with AES-256-GCM under the data key. `context` (e.g.
    /// `person:<id>:id_number`) is authenticated but not stored, so a sealed value copied to
    /// another row or field does not open.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> String {
        let cipher = Aes256Gcm::new((&self.data).into());
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of a bounded message cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_V1}{}", B64.encode(out))
    }

    /// Decrypts a value sealed for `context`; `None` if it was altered, moved or keyed otherwise.
    pub fn open(&self, context: &str, sealed: &str) -> Option<Vec<u8>> {
        let bytes = B64.decode(sealed.strip_prefix(SEALED_V1)?).ok()?;
        if bytes.len() < 12 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let cipher = Aes256Gcm::new((&self.data).into());
        cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .ok()
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_in_their_context() {
        let keys = Keys::new(vec![1; 32], [7; 32]);
        let sealed = keys.seal("person:a:id_number", b"11010519491231002X");
        assert!(!sealed.contains("110105"));
        assert_eq!(keys.open("person:a:id_number", &sealed).unwrap(), b"11010519491231002X");
        assert!(
            keys.open("person:b:id_number", &sealed).is_none(),
            "moved to another row"
        );
        let other = Keys::new(vec![1; 32], [8; 32]);
        assert!(other.open("person:a:id_number", &sealed).is_none(), "another key");
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert!(keys.open("person:a:id_number", &tampered).is_none());
        assert_ne!(keys.seal("c", b"x"), keys.seal("c", b"x"), "fresh nonce each time");
    }
}
