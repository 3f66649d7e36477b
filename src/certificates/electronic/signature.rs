//! The electronic certificate's signature: an Ed25519 signature over the certificate's data,
//! carried with the data in the QR code, so anyone holding the published public key can check
//! a printed or forwarded certificate offline, and the public lookup checks it online.
//!
//! The QR text is `<lookup URL>?c=<data>.<signature>`, both parts base64url without padding;
//! `data` is the compact JSON of [`SignedData`], whose field order is fixed by the struct.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

use crate::platform::crypto::Keys;

/// What the signature covers: everything printed on the certificate that a reader relies on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedData {
    /// Format version.
    pub v: u8,
    /// Certificate number.
    pub n: String,
    /// Certificate kind, as printed.
    pub k: String,
    /// Holder's name.
    pub h: String,
    /// Holder's ID number, masked as printed.
    pub i: String,
    /// Enterprise name.
    pub e: String,
    /// Issue date, YYYY-MM-DD.
    pub f: String,
    /// Valid until, YYYY-MM-DD.
    pub u: String,
}

/// Why a QR payload is not a valid certificate.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a certificate code")]
    Malformed,
    #[error("the signature does not match the data")]
    BadSignature,
}

/// The server's certificate signing key, derived from its token secret so every instance of
/// one deployment signs alike and nothing new has to be kept.
pub struct CertificateSigner {
    key: SigningKey,
}

impl CertificateSigner {
    pub fn from_keys(keys: &Keys) -> Self {
        let seed: [u8; 32] = keys
            .mac_bytes("certificate-signing", b"ed25519-v1")
            .try_into()
            .expect("HMAC-SHA256 is 32 bytes");
        CertificateSigner {
            key: SigningKey::from_bytes(&seed),
        }
    }

    /// The public key, base64url: published so certificates can be checked offline.
    pub fn public_key(&self) -> String {
        B64.encode(self.key.verifying_key().as_bytes())
    }

    /// The `c` parameter of the QR code: the data and its signature.
    pub fn seal(&self, data: &SignedData) -> String {
        let json = serde_json::to_vec(data).expect("plain strings serialise");
        let signature = self.key.sign(&json);
        format!("{}.{}", B64.encode(&json), B64.encode(signature.to_bytes()))
    }

    /// Checks a `c` parameter against this server's key and returns the data it carries.
    pub fn verify(&self, sealed: &str) -> Result<SignedData, VerifyError> {
        verify_with(&self.key.verifying_key(), sealed)
    }
}

/// Checks a `c` parameter against a public key: what an offline verifier does.
pub fn verify_with(key: &VerifyingKey, sealed: &str) -> Result<SignedData, VerifyError> {
    let (data, signature) = sealed.split_once('.').ok_or(VerifyError::Malformed)?;
    let json = B64.decode(data).map_err(|_| VerifyError::Malformed)?;
    let signature: [u8; 64] = B64
        .decode(signature)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(VerifyError::Malformed)?;
    key.verify(&json, &Signature::from_bytes(&signature))
        .map_err(|_| VerifyError::BadSignature)?;
    serde_json::from_slice(&json).map_err(|_| VerifyError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> SignedData {
        SignedData {
            v: 1,
            n: "赣建安B(2024)0001234".into(),
            k: "安全生产管理人员 B 类".into(),
            h: "张三".into(),
            i: "3601**********1234".into(),
            e: "江西建工集团有限公司".into(),
            f: "2024-03-01".into(),
            u: "2027-02-28".into(),
        }
    }

    fn signer(secret: u8) -> CertificateSigner {
        CertificateSigner::from_keys(&Keys::new(vec![secret; 32], [7; 32]))
    }

    #[test]
    fn a_sealed_certificate_verifies_online_and_offline() {
        let signer = signer(1);
        let sealed = signer.seal(&data());
        assert_eq!(signer.verify(&sealed), Ok(data()));
        let public: [u8; 32] = B64.decode(signer.public_key()).unwrap().try_into().unwrap();
        let offline = VerifyingKey::from_bytes(&public).unwrap();
        assert_eq!(verify_with(&offline, &sealed), Ok(data()));
    }

    #[test]
    fn altered_data_or_another_key_fails() {
        let sealed = signer(1).seal(&data());
        let (_, signature) = sealed.split_once('.').unwrap();
        let mut forged = data();
        forged.u = "2099-12-31".into();
        let forged_json = B64.encode(serde_json::to_vec(&forged).unwrap());
        let tampered = format!("{forged_json}.{signature}");
        assert_eq!(signer(1).verify(&tampered), Err(VerifyError::BadSignature));
        assert_eq!(signer(2).verify(&sealed), Err(VerifyError::BadSignature));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for input in [
            "",
            ".",
            "abc",
            "a.b",
            "!!!.???",
            &format!("{}.{}", B64.encode(b"{}"), B64.encode([0u8; 64])),
        ] {
            assert!(signer(1).verify(input).is_err(), "{input:?}");
        }
        let not_json = format!("{}.{}", B64.encode(b"x"), B64.encode([0u8; 64]));
        assert!(signer(1).verify(&not_json).is_err());
    }

    #[test]
    fn the_signing_key_is_stable_per_secret() {
        assert_eq!(signer(1).public_key(), signer(1).public_key());
        assert_ne!(signer(1).public_key(), signer(2).public_key());
    }
}
