//! Face checks for the application: the `FaceVerifier` trait, and the local engine
//! (`zhujian_face`, dlib's models in pure Rust) as its default implementation.
//!
//! Face work is CPU-bound (tens of milliseconds a photo). It never runs on the async threads:
//! each check runs on a blocking thread, at most `face.workers` at once, with at most
//! `face.queue` more waiting; beyond that the check answers `Busy` (503 with Retry-After).

pub mod models;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use tokio::sync::Semaphore;
use zhujian_face::{Descriptor, Engine, Quality, Refusal};

use crate::config::FaceSettings;
use crate::BoxFuture;

/// The outcome of comparing a selfie with an enrolled face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// Euclidean distance between the descriptors.
    pub distance: f32,
    pub threshold: f32,
    pub matched: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("the photo is not a readable JPEG or PNG")]
    Unreadable,
    #[error("the photo cannot be used: {0:?}")]
    Refused(Refusal),
    #[error("face checks are busy")]
    Busy,
    #[error("face check failed: {0}")]
    Internal(String),
}

/// What a face check is given. The local engine takes a photo; a WeChat face-verification
/// provider would take the `verify_id` its mini-program flow produced.
pub enum Evidence {
    Photo(Bytes),
}

pub trait FaceVerifier: Send + Sync {
    /// The descriptor of the single face in an enrolment photo (ID portrait or selfie).
    fn enroll<'a>(&'a self, photo: Bytes) -> BoxFuture<'a, Result<Descriptor, FaceError>>;

    /// Whether the evidence shows the person whose face was enrolled.
    fn verify<'a>(&'a self, enrolled: &'a Descriptor, evidence: Evidence) -> BoxFuture<'a, Result<Verdict, FaceError>>;
}

/// The in-process engine on a bounded pool.
pub struct LocalVerifier {
    engine: Arc<Engine>,
    quality: Quality,
    threshold: f32,
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
}

impl LocalVerifier {
    pub fn new(settings: &FaceSettings, models_dir: &Path) -> anyhow::Result<LocalVerifier> {
        let workers = if settings.workers == 0 {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            settings.workers
        };
        Ok(LocalVerifier {
            engine: load_engine(models_dir)?,
            quality: Quality {
                min_face_px: settings.min_face_px,
                min_brightness: settings.min_brightness,
                min_sharpness: settings.min_sharpness,
            },
            threshold: settings.threshold,
            running: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(Semaphore::new(workers + settings.queue)),
        })
    }

    /// Runs CPU work on a blocking thread within the pool's bounds.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine, &Quality) -> T + Send + 'static,
    ) -> Result<T, FaceError> {
        let _admitted = self.admitted.clone().try_acquire_owned().map_err(|_| FaceError::Busy)?;
        let _running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| FaceError::Busy)?;
        let engine = self.engine.clone();
        let quality = self.quality.clone();
        tokio::task::spawn_blocking(move || work(&engine, &quality))
            .await
            .map_err(|e| FaceError::Internal(e.to_string()))
    }
}

impl FaceVerifier for LocalVerifier {
    fn enroll<'a>(&'a self, photo: Bytes) -> BoxFuture<'a, Result<Descriptor, FaceError>> {
        Box::pin(async move {
            self.run(move |engine, quality| describe(engine, quality, &photo))
                .await?
        })
    }

    fn verify<'a>(&'a self, enrolled: &'a Descriptor, evidence: Evidence) -> BoxFuture<'a, Result<Verdict, FaceError>> {
        Box::pin(async move {
            let Evidence::Photo(photo) = evidence;
            let descriptor = self
                .run(move |engine, quality| describe(engine, quality, &photo))
                .await??;
            Ok(verdict(enrolled, &descriptor, self.threshold))
        })
    }
}

pub fn verdict(a: &Descriptor, b: &Descriptor, threshold: f32) -> Verdict {
    let distance = zhujian_face::distance(a, b);
    Verdict {
        distance,
        threshold,
        matched: distance < threshold,
    }
}

/// Decodes a photo (EXIF orientation applied) and describes its single face.
pub fn describe(engine: &Engine, quality: &Quality, photo: &[u8]) -> Result<Descriptor, FaceError> {
    let image = decode(photo)?;
    engine
        .single_face(&image, quality)
        .map(|f| f.descriptor)
        .map_err(FaceError::Refused)
}

pub fn decode(photo: &[u8]) -> Result<image::RgbImage, FaceError> {
    use image::ImageDecoder;
    let reader = image::ImageReader::new(std::io::Cursor::new(photo))
        .with_guessed_format()
        .map_err(|_| FaceError::Unreadable)?;
    let mut decoder = reader.into_decoder().map_err(|_| FaceError::Unreadable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = image::DynamicImage::from_decoder(decoder).map_err(|_| FaceError::Unreadable)?;
    image.apply_orientation(orientation);
    Ok(image.to_rgb8())
}

/// The engine for a models folder, loaded once per process (the models are immutable).
pub fn load_engine(dir: &Path) -> anyhow::Result<Arc<Engine>> {
    static LOADED: OnceLock<Mutex<Vec<(PathBuf, Arc<Engine>)>>> = OnceLock::new();
    let loaded = LOADED.get_or_init(Default::default);
    let mut loaded = loaded.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, engine)) = loaded.iter().find(|(d, _)| d == dir) {
        return Ok(engine.clone());
    }
    let engine = Arc::new(
        Engine::load(dir).map_err(|e| anyhow::anyhow!("cannot load the face models from {}: {e}", dir.display()))?,
    );
    loaded.push((dir.to_path_buf(), engine.clone()));
    Ok(engine)
}
