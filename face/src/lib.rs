//! Face detection, landmarks and 128-d descriptors in pure Rust, reading dlib's published model
//! files directly (see docs/face-engine-spec.md in the repository for the formats).

pub mod chip;
pub mod dlib;
pub mod engine;
mod gemm;
pub mod geometry;
pub mod hog;
pub mod mmod;
pub mod net;
pub mod policy;
pub mod pose;
pub mod resample;
pub mod resnet;
pub mod shape;
mod simd;
pub mod synthetic;
pub mod tensor;

pub use chip::face_chip;
pub use engine::{Engine, Face, LoadError, Quality, Refusal};
pub use geometry::Rect;
pub use hog::Hog;
pub use mmod::{Detection, Mmod};
pub use resnet::{distance, Descriptor, ResNet, CHIP_SIZE};
pub use shape::{Landmarks, ShapePredictor};

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
