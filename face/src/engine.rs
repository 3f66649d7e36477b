//! The face engine: the three models together, with the policy the application needs. Detect on
//! a downscaled copy first (detection cost grows with the pixel count) and retry larger only
//! when no face is found, at most on the copies `policy::plan` chooses (bounded in pixels,
//! large enough for a face of `min_face_px` when the budget allows); then landmarks, chip and
//! descriptor on the full image; refuse photos that cannot give a trustworthy descriptor.

use std::path::Path;

use image::RgbImage;

use crate::chip::face_chip;
use crate::geometry::Rect;
use crate::hog::Hog;
use crate::mmod::{Detection, Mmod};
use crate::policy::{needs_cnn, plan, Copy, Limits};
use crate::resnet::{Descriptor, ResNet, CHIP_SIZE};
use crate::shape::{Landmarks, ShapePredictor};
use crate::ModelError;

pub const DETECTOR_FILE: &str = "mmod_human_face_detector.dat";
pub const LANDMARKS_FILE: &str = "shape_predictor_5_face_landmarks.dat";
pub const DESCRIPTOR_FILE: &str = "dlib_face_recognition_resnet_model_v1.dat";

/// The default of `Quality::max_pixels`: 12 megapixels (4000×3000), what a phone camera
/// saves by default (WeChat's own pickers send less). Up to it, every face of the default
/// `min_face_px` is searched for (`policy::Limits::hog_max_pixels` is sized for it).
pub const DEFAULT_MAX_PIXELS: u64 = 12_000_000;

/// What makes a photo usable.
#[derive(Debug, Clone)]
pub struct Quality {
    /// Smallest face width in pixels of the original image (`face_width`, from the eyes).
    /// The detectors find faces from about 80 pixels (their window); the narrowest of those
    /// are refused, since their 150-pixel chip is mostly interpolation.
    pub min_face_px: i64,
    /// Smallest mean brightness (0–255) of the face chip.
    pub min_brightness: f32,
    /// Smallest variance of the Laplacian of the face chip (below it the face is blurred).
    pub min_sharpness: f32,
    /// Largest photo, in pixels, a face check decodes: its header is read first and a larger
    /// photo is refused before any pixel is decoded, which bounds a check's memory (3 bytes a
    /// pixel for the decoded photo, once more while it is turned upright).
    pub max_pixels: u64,
}

impl Default for Quality {
    fn default() -> Self {
        Quality {
            min_face_px: 90,
            min_brightness: 45.0,
            min_sharpness: 40.0,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// Why a photo gives no descriptor.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    NoFace,
    SeveralFaces(usize),
    FaceTooSmall { width: i64, min: i64 },
    TooDark { brightness: f32, min: f32 },
    TooBlurred { sharpness: f32, min: f32 },
}

/// One face found and described.
#[derive(Debug, Clone)]
pub struct Face {
    pub rect: Rect,
    pub confidence: f32,
    pub landmarks: Landmarks,
    pub descriptor: Descriptor,
    pub brightness: f32,
    pub sharpness: f32,
}

pub struct Engine {
    /// The detection passes' limits (see `policy`).
    pub limits: Limits,
    hog: Hog,
    detector: Mmod,
    landmarks: ShapePredictor,
    descriptor: ResNet,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    Model(#[from] ModelError),
}

impl Engine {
    pub fn load(dir: &Path) -> Result<Engine, LoadError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| LoadError::Io {
                path: path.display().to_string(),
                source,
            })
        };
        Ok(Engine {
            limits: Limits::default(),
            hog: Hog::frontal(),
            detector: Mmod::parse(&read(DETECTOR_FILE)?)?,
            landmarks: ShapePredictor::parse(&read(LANDMARKS_FILE)?)?,
            descriptor: ResNet::parse(&read(DESCRIPTOR_FILE)?)?,
        })
    }

    /// `detect_faces` for the default quality's `min_face_px`.
    pub fn detect(&self, img: &RgbImage) -> Vec<(Rect, f32)> {
        self.detect_faces(img, Quality::default().min_face_px)
    }

    /// Every face in the photo, in original-image coordinates: the HOG detector's frontal
    /// faces on the plan's counting copy (every face at least `min_face_px` wide when the
    /// copy covers it, see `policy`); only when it finds none does the CNN look for a face
    /// turned or tilted away, on the smallest of its copies that shows any.
    pub fn detect_faces(&self, img: &RgbImage, min_face_px: i64) -> Vec<(Rect, f32)> {
        let min_face = u32::try_from(min_face_px.max(1)).unwrap_or(u32::MAX);
        let passes = plan(img.width(), img.height(), min_face, &self.limits);
        let frontal = self.on_copy(img, passes.hog, |i| self.hog.detect(i));
        if !needs_cnn(frontal.len()) {
            return frontal;
        }
        for copy in &passes.cnn {
            let faces = self.on_copy(img, *copy, |i| self.detector.detect(i));
            if !faces.is_empty() {
                return faces;
            }
        }
        Vec::new()
    }

    /// A detector's faces on a copy of the photo, in the photo's coordinates.
    fn on_copy(&self, img: &RgbImage, copy: Copy, detect: impl Fn(&RgbImage) -> Vec<Detection>) -> Vec<(Rect, f32)> {
        let found = if (copy.width, copy.height) == img.dimensions() {
            detect(img)
        } else {
            detect(&crate::resample::shrink(img, copy.width, copy.height))
        };
        let scale = copy.scale(img.width());
        found
            .iter()
            .map(|d| (scale_rect(d.rect, 1.0 / scale), d.confidence))
            .collect()
    }

    /// Landmarks, chip and descriptor of the face in `rect`.
    pub fn describe_at(&self, img: &RgbImage, rect: Rect, confidence: f32) -> Face {
        let landmarks = self.landmarks.predict(img, rect);
        self.describe(img, rect, confidence, landmarks)
    }

    fn describe(&self, img: &RgbImage, rect: Rect, confidence: f32, landmarks: Landmarks) -> Face {
        let chip = face_chip(img, &landmarks, CHIP_SIZE, 0.25);
        let (brightness, sharpness) = chip_quality(&chip);
        Face {
            rect,
            confidence,
            landmarks,
            descriptor: self.descriptor.descriptor(&chip),
            brightness,
            sharpness,
        }
    }

    /// The descriptor of the one face in a photo, or why there is none.
    pub fn single_face(&self, img: &RgbImage, quality: &Quality) -> Result<Face, Refusal> {
        let found = self.detect_faces(img, quality.min_face_px);
        let (rect, confidence) = match found.as_slice() {
            [] => return Err(Refusal::NoFace),
            [one] => *one,
            many => return Err(Refusal::SeveralFaces(many.len())),
        };
        let landmarks = self.landmarks.predict(img, rect);
        let width = face_width(&landmarks);
        if width < quality.min_face_px {
            return Err(Refusal::FaceTooSmall {
                width,
                min: quality.min_face_px,
            });
        }
        let face = self.describe(img, rect, confidence, landmarks);
        if face.brightness < quality.min_brightness {
            return Err(Refusal::TooDark {
                brightness: face.brightness,
                min: quality.min_brightness,
            });
        }
        if face.sharpness < quality.min_sharpness {
            return Err(Refusal::TooBlurred {
                sharpness: face.sharpness,
                min: quality.min_sharpness,
            });
        }
        Ok(face)
    }
}

/// A face's width in pixels, from the span of its eyes (outer corners, the 5-point model's
/// points 0 and 2) times 1.6: the median ratio of the CNN detector's box to that span on the
/// deepface photos (1.33–1.99). Measured on the landmarks, the width is the same whichever
/// detector found the face (the HOG detector's boxes come in steps of 20% of its window),
/// and it is what the chip's resolution depends on: the chip is scaled on the eyes.
pub fn face_width(landmarks: &Landmarks) -> i64 {
    let (a, b) = (landmarks[0], landmarks[2]);
    let span = (((a.0 - b.0).pow(2) + (a.1 - b.1).pow(2)) as f64).sqrt();
    (span * 1.6).round() as i64
}

fn scale_rect(r: Rect, s: f64) -> Rect {
    let f = |v: i64| (v as f64 * s).round() as i64;
    Rect {
        left: f(r.left),
        top: f(r.top),
        right: f(r.right),
        bottom: f(r.bottom),
    }
}

/// Mean brightness and the variance of the Laplacian (a standard focus measure) of a chip's
/// central region, where the face is.
pub fn chip_quality(chip: &[u8]) -> (f32, f32) {
    let n = CHIP_SIZE;
    let grey: Vec<f32> = chip
        .chunks_exact(3)
        .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
        .collect();
    let (from, to) = (n / 5, n - n / 5);
    let mut sum = 0.0;
    let mut laplacians = Vec::with_capacity((to - from) * (to - from));
    for y in from..to {
        for x in from..to {
            let at = |dx: isize, dy: isize| grey[((y as isize + dy) as usize) * n + (x as isize + dx) as usize];
            sum += at(0, 0);
            laplacians.push(at(-1, 0) + at(1, 0) + at(0, -1) + at(0, 1) - 4.0 * at(0, 0));
        }
    }
    let count = laplacians.len() as f32;
    let mean = laplacians.iter().sum::<f32>() / count;
    let variance = laplacians.iter().map(|l| (l - mean) * (l - mean)).sum::<f32>() / count;
    (sum / count, variance)
}
