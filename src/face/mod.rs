//! Face checks for the application: the `FaceVerifier` trait, and the local engine
//! (`zhujian_face`, dlib's models in pure Rust) as its default implementation.
//!
//! Face work is CPU-bound (tens of milliseconds a photo). It never runs on the async threads:
//! each check runs on a blocking thread, at most `face.workers` at once, with at most
//! `face.queue` more waiting; beyond that the check answers `Busy` (503 with Retry-After).

mod decode;
pub mod models;
pub mod wechat;

pub use decode::{decode, decode_within};

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Semaphore;

use crate::platform::observe::FaceLoad;
pub use zhujian_face::Descriptor;
use zhujian_face::{Engine, Quality, Refusal};

use crate::platform::config::FaceSettings;
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
    #[error("the photo has {width}×{height} pixels, more than the {max} a face check takes")]
    TooLarge { width: u32, height: u32, max: u64 },
    #[error("the photo cannot be used: {0:?}")]
    Refused(Refusal),
    #[error("face checks are busy")]
    Busy,
    #[error("face check failed: {0}")]
    Internal(String),
    /// WeChat's face verification answered, and it did not pass (`verify_ret` other than 10000).
    #[error("WeChat face verification did not pass: verify_ret {verify_ret}")]
    WechatFailed { verify_ret: i64 },
    /// WeChat could not be asked, or refused the call.
    #[error(transparent)]
    Wechat(#[from] wechat::WechatFaceError),
}

/// What a face check is given. The local engine takes a photo; WeChat's face verification
/// (人脸核身) takes the session its mini-program flow completed (`verify_id`).
pub enum Evidence {
    Photo(Bytes),
    /// A photo already decoded (by the photo registry's fingerprint): decoded once per check.
    Image(Arc<image::RgbImage>),
    /// A WeChat face verification the person completed in the mini-program, checked with
    /// `queryverifyinfo`. It compares the live face with the national database's photo of
    /// the registered ID number, not with the enrolled face.
    Wechat(wechat::Session),
}

pub trait FaceVerifier: Send + Sync {
    /// The descriptor of the single face in an enrolment photo (ID portrait or selfie).
    fn enroll<'a>(&'a self, photo: Bytes) -> BoxFuture<'a, Result<Descriptor, FaceError>>;

    /// Whether the evidence shows the person whose face was enrolled.
    fn verify<'a>(&'a self, enrolled: &'a Descriptor, evidence: Evidence) -> BoxFuture<'a, Result<Verdict, FaceError>>;

    /// Whether two enrolled faces are the same person, without touching a photo again.
    fn compare(&self, a: &Descriptor, b: &Descriptor) -> Verdict;

    /// The descriptor and head pose of the single face in a photo (a liveness frame).
    fn examine<'a>(&'a self, evidence: Evidence) -> BoxFuture<'a, Result<Examined, FaceError>>;

    /// The pool's load for the metrics; `None` for engines without one here.
    fn load(&self) -> Option<FaceLoad> {
        None
    }
}

/// A face examined for liveness.
#[derive(Debug, Clone)]
pub struct Examined {
    pub descriptor: Descriptor,
    /// Degrees (`zhujian_face::pose::Pose::yaw`).
    pub yaw: f64,
    /// The 5 landmarks, in pixels of the photo.
    pub landmarks: Vec<(i64, i64)>,
}

/// The in-process engine on a bounded pool.
pub struct LocalVerifier {
    engine: Arc<Engine>,
    quality: Quality,
    threshold: f32,
    workers: usize,
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
    waits: Waits,
}

/// What the pool's semaphores do not tell: who waits, for how long, who was refused.
#[derive(Default)]
struct Waits {
    waiting: AtomicU64,
    refused: AtomicU64,
    waited_micros: AtomicU64,
    count: AtomicU64,
}

/// One check counted as waiting until it runs or is given up (its request cancelled).
struct Waiting<'a>(&'a AtomicU64);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
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
            quality: quality(settings),
            threshold: settings.threshold,
            workers,
            running: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(Semaphore::new(workers + settings.queue)),
            waits: Waits::default(),
        })
    }

    /// Runs CPU work on a blocking thread within the pool's bounds.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine, &Quality) -> T + Send + 'static,
    ) -> Result<T, FaceError> {
        let _admitted = self.admitted.clone().try_acquire_owned().map_err(|_| {
            self.waits.refused.fetch_add(1, Ordering::Relaxed);
            FaceError::Busy
        })?;
        self.waits.waiting.fetch_add(1, Ordering::Relaxed);
        let waiting = Waiting(&self.waits.waiting);
        let since = std::time::Instant::now();
        let _running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| FaceError::Busy)?;
        drop(waiting);
        let waited = since.elapsed().as_micros() as u64;
        self.waits.waited_micros.fetch_add(waited, Ordering::Relaxed);
        self.waits.count.fetch_add(1, Ordering::Relaxed);
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
            let descriptor = match evidence {
                Evidence::Photo(photo) => {
                    self.run(move |engine, quality| describe(engine, quality, &photo))
                        .await??
                }
                Evidence::Image(image) => {
                    self.run(move |engine, quality| describe_image(engine, quality, &image))
                        .await??
                }
                Evidence::Wechat(_) => {
                    return Err(FaceError::Internal(
                        "the local engine takes photos, not a WeChat face verification".into(),
                    ))
                }
            };
            Ok(verdict(enrolled, &descriptor, self.threshold))
        })
    }

    fn compare(&self, a: &Descriptor, b: &Descriptor) -> Verdict {
        verdict(a, b, self.threshold)
    }

    fn load(&self) -> Option<FaceLoad> {
        let read = |n: &AtomicU64| n.load(Ordering::Relaxed);
        Some(FaceLoad {
            workers: self.workers as u64,
            running: (self.workers - self.running.available_permits()) as u64,
            waiting: read(&self.waits.waiting),
            refused: read(&self.waits.refused),
            wait_seconds: read(&self.waits.waited_micros) as f64 / 1e6,
            waits: read(&self.waits.count),
        })
    }

    fn examine<'a>(&'a self, evidence: Evidence) -> BoxFuture<'a, Result<Examined, FaceError>> {
        Box::pin(async move {
            match evidence {
                Evidence::Photo(photo) => {
                    self.run(move |engine, quality| {
                        examine_image(engine, quality, &decode_within(&photo, quality.max_pixels)?)
                    })
                    .await?
                }
                Evidence::Image(image) => {
                    self.run(move |engine, quality| examine_image(engine, quality, &image))
                        .await?
                }
                Evidence::Wechat(_) => Err(FaceError::Internal(
                    "a WeChat face verification has no photo to examine".into(),
                )),
            }
        })
    }
}

/// The providers a deployment has: the local engine for photos, WeChat's face verification
/// for its sessions.
pub struct Providers {
    pub local: LocalVerifier,
    pub wechat: Arc<dyn wechat::WechatFaceApi>,
}

impl FaceVerifier for Providers {
    fn enroll<'a>(&'a self, photo: Bytes) -> BoxFuture<'a, Result<Descriptor, FaceError>> {
        self.local.enroll(photo)
    }

    /// A WeChat session passes with `verify_ret` 10000; WeChat measures no distance, so a
    /// pass is a match at distance 0 and anything else is `WechatFailed`.
    fn verify<'a>(&'a self, enrolled: &'a Descriptor, evidence: Evidence) -> BoxFuture<'a, Result<Verdict, FaceError>> {
        match evidence {
            Evidence::Wechat(session) => Box::pin(async move {
                match self.wechat.query(&session).await? {
                    wechat::PASSED => Ok(Verdict {
                        distance: 0.0,
                        threshold: self.local.threshold,
                        matched: true,
                    }),
                    verify_ret => Err(FaceError::WechatFailed { verify_ret }),
                }
            }),
            photo => self.local.verify(enrolled, photo),
        }
    }

    fn compare(&self, a: &Descriptor, b: &Descriptor) -> Verdict {
        self.local.compare(a, b)
    }

    fn examine<'a>(&'a self, evidence: Evidence) -> BoxFuture<'a, Result<Examined, FaceError>> {
        self.local.examine(evidence)
    }

    fn load(&self) -> Option<FaceLoad> {
        self.local.load()
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

/// What makes a photo usable, from the settings.
pub fn quality(settings: &FaceSettings) -> Quality {
    Quality {
        min_face_px: settings.min_face_px,
        min_brightness: settings.min_brightness,
        min_sharpness: settings.min_sharpness,
        max_pixels: settings.max_pixels,
    }
}

/// Decodes a photo (EXIF orientation applied) and describes its single face.
pub fn describe(engine: &Engine, quality: &Quality, photo: &[u8]) -> Result<Descriptor, FaceError> {
    describe_image(engine, quality, &decode_within(photo, quality.max_pixels)?)
}

/// Describes the single face of a decoded photo.
pub fn describe_image(engine: &Engine, quality: &Quality, image: &image::RgbImage) -> Result<Descriptor, FaceError> {
    engine
        .single_face(image, quality)
        .map(|f| f.descriptor)
        .map_err(FaceError::Refused)
}

/// The descriptor and head pose of the single face of a decoded photo.
pub fn examine_image(engine: &Engine, quality: &Quality, image: &image::RgbImage) -> Result<Examined, FaceError> {
    let face = engine.single_face(image, quality).map_err(FaceError::Refused)?;
    let pose = zhujian_face::pose::estimate(&face.landmarks)
        .ok_or_else(|| FaceError::Internal("a face without its five landmarks".into()))?;
    Ok(Examined {
        descriptor: face.descriptor,
        yaw: pose.yaw,
        landmarks: face.landmarks,
    })
}

/// Engines already loaded, by models folder.
type LoadedEngines = Mutex<Vec<(PathBuf, Arc<Engine>)>>;

/// The engine for a models folder, loaded once per process (the models are immutable).
pub fn load_engine(dir: &Path) -> anyhow::Result<Arc<Engine>> {
    static LOADED: OnceLock<LoadedEngines> = OnceLock::new();
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

/// Which photo a face check was about, for error messages.
#[derive(Debug, Clone, Copy)]
pub enum Photo {
    Portrait,
    Selfie,
}

impl Photo {
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Photo::Portrait => ("证件照", "ID portrait", "portrait_document_id"),
            Photo::Selfie => ("自拍照", "selfie", "selfie_document_id"),
        }
    }
}

/// A face check's failure as a problem document naming the photo and what to do.
pub fn problem(error: FaceError, photo: Photo) -> crate::platform::error::ApiError {
    use crate::platform::error::{ApiError, Message};
    use axum::http::StatusCode;
    let (zh, en, field) = photo.names();
    let (code, zh_text, en_text) = match error {
        FaceError::Busy => {
            return ApiError::unavailable(
                "face.busy",
                "人脸核验繁忙，请稍后重试",
                "Face checks are busy; try again shortly",
            );
        }
        FaceError::Internal(reason) => return ApiError::internal(reason),
        FaceError::WechatFailed { .. } | FaceError::Wechat(_) => return wechat::problem(error),
        FaceError::Unreadable => (
            "face.unreadable",
            format!("{zh}无法读取"),
            format!("The {en} cannot be read"),
        ),
        FaceError::TooLarge { width, height, max } => (
            "face.too_large",
            format!(
                "{zh}尺寸过大（{width}×{height} 像素，最多 {} 万像素），请用较低分辨率重拍",
                max / 10_000
            ),
            format!(
                "The {en} is too large ({width}×{height} pixels, at most {:.1} megapixels); take it at a lower resolution",
                max as f64 / 1e6
            ),
        ),
        FaceError::Refused(Refusal::NoFace) => (
            "face.no_face",
            format!("{zh}中没有找到人脸，请正对镜头重拍"),
            format!("No face found in the {en}; take it again facing the camera"),
        ),
        FaceError::Refused(Refusal::SeveralFaces(n)) => (
            "face.several_faces",
            format!("{zh}中有 {n} 张人脸，只能有本人一人"),
            format!("The {en} shows {n} faces; it must show only you"),
        ),
        FaceError::Refused(Refusal::FaceTooSmall { .. }) => (
            "face.too_small",
            format!("{zh}中的人脸太小，请靠近镜头重拍"),
            format!("The face in the {en} is too small; come closer to the camera"),
        ),
        FaceError::Refused(Refusal::TooDark { .. }) => (
            "face.too_dark",
            format!("{zh}太暗，请在光线充足处重拍"),
            format!("The {en} is too dark; take it again in better light"),
        ),
        FaceError::Refused(Refusal::TooBlurred { .. }) => (
            "face.too_blurred",
            format!("{zh}模糊，请保持稳定后重拍"),
            format!("The {en} is blurred; hold still and take it again"),
        ),
    };
    let message = Message::new(zh_text.clone(), en_text.clone());
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh_text, en_text).with_field(field, code, message)
}

/// The mean of two descriptors: the enrolled face combines the ID portrait and the live selfie.
pub fn mean(a: &Descriptor, b: &Descriptor) -> Descriptor {
    let mut out = [0.0; 128];
    for (o, (x, y)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = (x + y) / 2.0;
    }
    out
}

pub fn descriptor_bytes(d: &Descriptor) -> Vec<u8> {
    d.iter().flat_map(|v| v.to_le_bytes()).collect()
}

pub fn descriptor_from_bytes(bytes: &[u8]) -> Option<Descriptor> {
    if bytes.len() != 512 {
        return None;
    }
    let mut out = [0.0; 128];
    for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
        *o = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut out = Vec::new();
        image::RgbImage::new(width, height)
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    /// A PNG header claiming 20000×20000 pixels, with no pixel data behind it.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        let mut real = png(1, 1);
        real[16..20].copy_from_slice(&width.to_be_bytes());
        real[20..24].copy_from_slice(&height.to_be_bytes());
        let crc = crc32(&real[12..29]);
        real[29..33].copy_from_slice(&crc.to_be_bytes());
        real
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn photos_above_the_limit_are_refused_from_their_header() {
        assert_eq!(decode_within(&png(40, 30), 1200).unwrap().dimensions(), (40, 30));
        assert!(matches!(
            decode_within(&png(40, 30), 1199),
            Err(FaceError::TooLarge {
                width: 40,
                height: 30,
                max: 1199
            })
        ));
        let started = std::time::Instant::now();
        assert!(matches!(
            decode(&png_header(20_000, 20_000)),
            Err(FaceError::TooLarge {
                width: 20_000,
                height: 20_000,
                ..
            })
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Under the limit, a header without its pixels is unreadable, not a crash.
        assert!(matches!(
            decode_within(&png_header(3000, 3000), 10_000_000),
            Err(FaceError::Unreadable)
        ));
        assert!(matches!(decode(b"not a photo"), Err(FaceError::Unreadable)));
    }

    #[test]
    fn a_too_large_photo_is_a_problem_naming_its_size() {
        let error = problem(
            FaceError::TooLarge {
                width: 8000,
                height: 6000,
                max: 12_000_000,
            },
            Photo::Selfie,
        );
        let text = format!("{error:?}");
        assert!(text.contains("face.too_large") && text.contains("8000×6000"), "{text}");
    }

    #[tokio::test]
    async fn a_full_pool_answers_busy() {
        let Ok(dir) = std::env::var("ZHUJIAN_FACE_MODELS_DIR") else {
            panic!("ZHUJIAN_FACE_MODELS_DIR is not set: run ./scripts/test.sh");
        };
        let settings = FaceSettings {
            workers: 1,
            queue: 1,
            ..crate::platform::config::Settings::default().face
        };
        let verifier = LocalVerifier::new(&settings, Path::new(&dir)).unwrap();
        // Every place in the pool is taken.
        let _held = verifier.admitted.clone().try_acquire_many_owned(2).unwrap();
        let photo = Bytes::from_static(b"not even a photo");
        assert!(matches!(verifier.enroll(photo).await, Err(FaceError::Busy)));
    }
}
