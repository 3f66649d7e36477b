//! Receiving a file: chunks flow from the client (multipart field or presigned PUT body) or
//! from the store (when verifying a presigned upload) through one pipeline that recognises the
//! format from the first bytes, enforces the purpose's size cap, computes SHA-256 and size,
//! and writes to the object store as it goes. Only photos are held in memory (they are capped
//! small and must be decoded to be normalised).

use axum::http::StatusCode;
use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};

use super::images;
use super::pool::ImagePool;
use super::rules::{self, Format, Purpose};
use crate::platform::config::UploadSettings;
use crate::platform::error::ApiError;
use crate::platform::objects::{ObjectStore, ObjectWriter, StoreError};

#[derive(Debug)]
pub enum UploadError {
    Empty,
    NotAllowed {
        purpose: Purpose,
        found: Option<Format>,
    },
    TooLarge {
        limit: u64,
    },
    SizeMismatch {
        expected: u64,
        actual: u64,
    },
    HashMismatch,
    PdfIncomplete,
    Unreadable,
    ImageTooLarge {
        width: u32,
        height: u32,
    },
    ImageTooSmall {
        width: u32,
        height: u32,
    },
    /// No room in the image decoding budget right now.
    Busy,
    /// The client's body broke off or was malformed.
    Body(String),
    Store(StoreError),
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Store(e)
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / (1024.0 * 1024.0))
}

impl UploadError {
    pub fn into_api(self) -> ApiError {
        use UploadError::*;
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        match self {
            Empty => ApiError::new(unprocessable, "document.empty", "文件为空", "The file is empty"),
            NotAllowed { purpose, found } => {
                let found = found.map_or("unrecognised", Format::name);
                ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "document.type_not_allowed",
                    format!("文件内容为 {found}，此用途只接受 {}", purpose.allowed_names()),
                    format!(
                        "The file's content is {found}; this purpose accepts {}",
                        purpose.allowed_names()
                    ),
                )
            }
            TooLarge { limit } => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "document.too_large",
                format!("文件超过此类文件的上限 {}", mib(limit)),
                format!("The file exceeds this type's limit of {}", mib(limit)),
            ),
            SizeMismatch { expected, actual } => ApiError::new(
                unprocessable,
                "document.size_mismatch",
                format!("上传的文件为 {actual} 字节，与申报的 {expected} 字节不符"),
                format!("The uploaded file has {actual} bytes, not the {expected} announced"),
            ),
            HashMismatch => ApiError::new(
                unprocessable,
                "document.hash_mismatch",
                "文件的 SHA-256 与申报的不符",
                "The file's SHA-256 differs from the one announced",
            ),
            PdfIncomplete => ApiError::new(
                unprocessable,
                "document.pdf_incomplete",
                "PDF 文件不完整（缺少结尾标记），请重新扫描或导出",
                "The PDF is incomplete (no end marker); scan or export it again",
            ),
            Busy => ApiError::unavailable(
                "document.images_busy",
                "正在处理的图片过多，请稍后重试",
                "Too many images are being processed; try again shortly",
            ),
            Unreadable => ApiError::new(
                unprocessable,
                "document.image_unreadable",
                "图片无法解析，请重新拍摄",
                "The image cannot be read; take it again",
            ),
            ImageTooLarge { width, height } => ApiError::new(
                unprocessable,
                "document.image_too_large",
                format!("图片尺寸 {width}×{height} 过大"),
                format!("The image's {width}×{height} pixels are too many"),
            ),
            ImageTooSmall { width, height } => ApiError::new(
                unprocessable,
                "document.image_too_small",
                format!("图片尺寸 {width}×{height} 过小，无法看清"),
                format!("The image's {width}×{height} pixels are too few to be legible"),
            ),
            Body(reason) => {
                tracing::info!(%reason, "upload body broke off");
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "document.body_invalid",
                    "上传内容不完整或格式错误，请重新上传",
                    "The upload was cut off or malformed; upload again",
                )
            }
            Store(StoreError::NotFound) => ApiError::new(
                unprocessable,
                "document.not_uploaded",
                "尚未收到文件，请先上传",
                "No file has arrived yet; upload it first",
            ),
            Store(StoreError::Unavailable(reason)) => {
                tracing::warn!(%reason, "object store unavailable");
                ApiError::unavailable(
                    "storage.unavailable",
                    "文件存储暂时不可用，请稍后重试",
                    "File storage is unavailable; try again shortly",
                )
            }
        }
    }
}

/// Where chunks come from.
pub trait ChunkSource {
    fn next_chunk(&mut self) -> impl std::future::Future<Output = Result<Option<Bytes>, UploadError>> + Send;
}

/// What was received.
#[derive(Debug)]
pub struct Received {
    pub format: Format,
    pub size: u64,
    pub sha256: String,
}

/// What the received bytes must be.
pub struct Expect<'a> {
    pub purpose: Purpose,
    pub limits: &'a UploadSettings,
    /// The memory budget photos are decoded within.
    pub images: &'a ImagePool,
    /// Exact size announced for a presigned upload.
    pub size: Option<u64>,
    pub sha256: Option<&'a str>,
}

/// Receives a file into the store under `key`. On any refusal nothing is left under `key`.
pub async fn receive(
    source: &mut impl ChunkSource,
    expect: &Expect<'_>,
    store: &ObjectStore,
    key: &str,
) -> Result<Received, UploadError> {
    let (format, head) = recognise(source, expect).await?;
    let cap = cap(format, expect);
    if format.class() == rules::SizeClass::Image {
        let original = collect(source, head, cap).await?;
        let stored = normalize_blocking(original, format, expect).await?;
        let received = check_whole(&stored, format, expect)?;
        store.put(key, Bytes::from(stored)).await?;
        return Ok(received);
    }
    let mut writer = store.writer(key).await?;
    match stream(source, head, format, cap, expect, Some(&mut writer)).await {
        Ok(received) => {
            writer.finish().await?;
            Ok(received)
        }
        Err(e) => {
            writer.abort().await;
            Err(e)
        }
    }
}

/// Checks an object already in the store (a completed presigned upload). Photos are normalised
/// and written back under the same key.
pub async fn verify_stored(store: &ObjectStore, key: &str, expect: &Expect<'_>) -> Result<Received, UploadError> {
    let mut source = StoreSource(tokio_util::io::ReaderStream::with_capacity(
        store.reader(key).await?,
        64 * 1024,
    ));
    let (format, head) = recognise(&mut source, expect).await?;
    let cap = cap(format, expect);
    if format.class() == rules::SizeClass::Image {
        let original = collect(&mut source, head, cap).await?;
        check_whole(&original, format, expect)?;
        let stored = normalize_blocking(original, format, expect).await?;
        let received = Received {
            format,
            size: stored.len() as u64,
            sha256: hex::encode(Sha256::digest(&stored)),
        };
        store.put(key, Bytes::from(stored)).await?;
        return Ok(received);
    }
    stream(&mut source, head, format, cap, expect, None).await
}

struct StoreSource(tokio_util::io::ReaderStream<Box<dyn tokio::io::AsyncRead + Send + Unpin>>);

impl ChunkSource for StoreSource {
    async fn next_chunk(&mut self) -> Result<Option<Bytes>, UploadError> {
        use futures_util::StreamExt;
        self.0
            .next()
            .await
            .transpose()
            .map_err(|e| UploadError::Store(StoreError::Unavailable(e.to_string())))
    }
}

fn cap(format: Format, expect: &Expect<'_>) -> u64 {
    format.max_bytes(expect.limits)
}

/// Reads until the format is known and checks the purpose accepts it.
async fn recognise(source: &mut impl ChunkSource, expect: &Expect<'_>) -> Result<(Format, BytesMut), UploadError> {
    let mut head = BytesMut::new();
    while head.len() < rules::SNIFF_LEN {
        match source.next_chunk().await? {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => break,
        }
    }
    if head.is_empty() {
        return Err(UploadError::Empty);
    }
    let found = rules::sniff(&head);
    match found {
        Some(format) if expect.purpose.allowed().contains(&format) => Ok((format, head)),
        _ => Err(UploadError::NotAllowed {
            purpose: expect.purpose,
            found,
        }),
    }
}

async fn collect(source: &mut impl ChunkSource, head: BytesMut, cap: u64) -> Result<Vec<u8>, UploadError> {
    let mut all = head.to_vec();
    while let Some(chunk) = source.next_chunk().await? {
        if (all.len() + chunk.len()) as u64 > cap {
            return Err(UploadError::TooLarge { limit: cap });
        }
        all.extend_from_slice(&chunk);
    }
    if all.len() as u64 > cap {
        return Err(UploadError::TooLarge { limit: cap });
    }
    Ok(all)
}

/// Normalises a photo on a blocking thread once the memory for it is reserved in the budget.
async fn normalize_blocking(bytes: Vec<u8>, format: Format, expect: &Expect<'_>) -> Result<Vec<u8>, UploadError> {
    let limits = expect.limits.clone();
    // Refused sizes cost nothing: normalize refuses them before decoding.
    let pixels = images::pixels(&bytes, format)
        .filter(|&p| p <= limits.image_max_pixels)
        .unwrap_or(0);
    let _reserved = expect.images.reserve(pixels).await.map_err(|_| UploadError::Busy)?;
    tokio::task::spawn_blocking(move || images::normalize(&bytes, format, &limits))
        .await
        .map_err(|_| UploadError::Unreadable)?
}

/// Size and hash checks on a file held whole.
fn check_whole(bytes: &[u8], format: Format, expect: &Expect<'_>) -> Result<Received, UploadError> {
    let received = Received {
        format,
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
    };
    check_announced(&received, expect)?;
    Ok(received)
}

fn check_announced(received: &Received, expect: &Expect<'_>) -> Result<(), UploadError> {
    if let Some(expected) = expect.size.filter(|s| *s != received.size) {
        return Err(UploadError::SizeMismatch {
            expected,
            actual: received.size,
        });
    }
    if expect.sha256.is_some_and(|h| !h.eq_ignore_ascii_case(&received.sha256)) {
        return Err(UploadError::HashMismatch);
    }
    Ok(())
}

/// Streams the rest of a PDF or video, hashing it and (with a writer) storing it.
async fn stream(
    source: &mut impl ChunkSource,
    head: BytesMut,
    format: Format,
    cap: u64,
    expect: &Expect<'_>,
    mut writer: Option<&mut ObjectWriter>,
) -> Result<Received, UploadError> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut tail: Vec<u8> = Vec::with_capacity(rules::PDF_TAIL_LEN * 2);
    let mut chunk = Some(head.freeze());
    while let Some(bytes) = chunk {
        size += bytes.len() as u64;
        if size > cap || expect.size.is_some_and(|s| size > s) {
            return Err(UploadError::TooLarge {
                limit: expect.size.unwrap_or(cap).min(cap),
            });
        }
        hasher.update(&bytes);
        if format == Format::Pdf {
            tail.extend_from_slice(&bytes[bytes.len().saturating_sub(rules::PDF_TAIL_LEN)..]);
            let excess = tail.len().saturating_sub(rules::PDF_TAIL_LEN);
            tail.drain(..excess);
        }
        if let Some(w) = writer.as_deref_mut() {
            w.write(bytes).await?;
        }
        chunk = source.next_chunk().await?;
    }
    if format == Format::Pdf && !rules::pdf_is_complete(&tail) {
        return Err(UploadError::PdfIncomplete);
    }
    let received = Received {
        format,
        size,
        sha256: hex::encode(hasher.finalize()),
    };
    check_announced(&received, expect)?;
    Ok(received)
}
