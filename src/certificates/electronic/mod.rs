//! Electronic certificates (电子证书): a one-page PDF with the holder's portrait and a QR code
//! whose data is signed with the server's Ed25519 key, so the certificate can be checked
//! offline with the published public key and online by the public lookup.

pub mod font;
pub mod pdf;
pub mod signature;

pub use pdf::{render, CertificateSheet};
pub use signature::{CertificateSigner, SignedData, VerifyError};
