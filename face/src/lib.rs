//! Face detection, landmarks and 128-d descriptors in pure Rust, reading dlib's published model
//! files directly (see docs/face-engine-spec.md in the repository for the formats).

pub mod dlib;
pub mod net;
pub mod resnet;
pub mod tensor;

pub use resnet::{distance, Descriptor, ResNet, CHIP_SIZE};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{model}: malformed at byte {offset}: {message}")]
    Format {
        model: &'static str,
        offset: usize,
        message: String,
    },
    #[error("{0}")]
    Structure(&'static str),
}
