//! Object storage: where uploaded files live. Two backends with the same behaviour: local
//! files under `<storage.dir>/objects/` (the embedded default) and any S3-compatible service.
//! Keys are chosen by the server (`documents::object_key`), never by clients.
//!
//! Writing is streamed: `ObjectStore::writer` gives an `ObjectWriter` that takes chunks as they
//! arrive and makes the object durable on `finish` (fsync + rename for files, multipart upload
//! for S3), or leaves nothing on `abort`.

mod local;
mod s3;

use std::time::Duration;

use bytes::Bytes;
use tokio::io::AsyncRead;

use crate::platform::config::{ObjectBackend, Settings};

pub use local::LocalStore;
pub use s3::S3Store;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store cannot be reached or refused to work: answer 503 and retry later.
    #[error("object store unavailable: {0}")]
    Unavailable(String),
    #[error("object not found")]
    NotFound,
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An object found by listing, for the sweeper.
#[derive(Debug, Clone)]
pub struct Listed {
    pub key: String,
    pub modified_ms: i64,
}

pub enum ObjectStore {
    Local(LocalStore),
    S3(S3Store),
}

pub enum ObjectWriter {
    Local(local::LocalWriter),
    S3(s3::S3Writer),
}

impl ObjectStore {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<ObjectStore> {
        Ok(match settings.objects.backend {
            ObjectBackend::Local => ObjectStore::Local(LocalStore::new(settings.storage.dir.join("objects"))?),
            ObjectBackend::S3 => ObjectStore::S3(S3Store::new(&settings.objects)),
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            ObjectStore::Local(_) => "local",
            ObjectStore::S3(_) => "s3",
        }
    }

    pub async fn writer(&self, key: &str) -> StoreResult<ObjectWriter> {
        Ok(match self {
            ObjectStore::Local(s) => ObjectWriter::Local(s.writer(key).await?),
            ObjectStore::S3(s) => ObjectWriter::S3(s.writer(key)),
        })
    }

    /// Stores a small object in one go.
    pub async fn put(&self, key: &str, bytes: Bytes) -> StoreResult<()> {
        let mut writer = self.writer(key).await?;
        if let Err(e) = writer.write(bytes).await {
            writer.abort().await;
            return Err(e);
        }
        writer.finish().await
    }

    pub async fn reader(&self, key: &str) -> StoreResult<Box<dyn AsyncRead + Send + Unpin>> {
        match self {
            ObjectStore::Local(s) => s.reader(key).await,
            ObjectStore::S3(s) => s.reader(key).await,
        }
    }

    /// The object's size, or `None` when it does not exist.
    pub async fn size(&self, key: &str) -> StoreResult<Option<u64>> {
        match self {
            ObjectStore::Local(s) => s.size(key).await,
            ObjectStore::S3(s) => s.size(key).await,
        }
    }

    /// Removes the object; removing a missing object is not an error.
    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        match self {
            ObjectStore::Local(s) => s.delete(key).await,
            ObjectStore::S3(s) => s.delete(key).await,
        }
    }

    /// Every object whose key starts with `prefix`, with its modification time.
    pub async fn list(&self, prefix: &str) -> StoreResult<Vec<Listed>> {
        match self {
            ObjectStore::Local(s) => s.list(prefix).await,
            ObjectStore::S3(s) => s.list(prefix).await,
        }
    }

    /// A URL the client can PUT exactly `size` bytes to, or `None` when the app itself takes
    /// the upload (local files).
    pub async fn presign_put(&self, key: &str, size: u64, ttl: Duration) -> StoreResult<Option<String>> {
        match self {
            ObjectStore::Local(_) => Ok(None),
            ObjectStore::S3(s) => s.presign_put(key, size, ttl).await.map(Some),
        }
    }

    /// A URL the client can GET the object from, or `None` when the app serves it (local).
    pub async fn presign_get(
        &self,
        key: &str,
        ttl: Duration,
        content_type: &str,
        file_name: &str,
    ) -> StoreResult<Option<String>> {
        match self {
            ObjectStore::Local(_) => Ok(None),
            ObjectStore::S3(s) => s.presign_get(key, ttl, content_type, file_name).await.map(Some),
        }
    }

    /// Readiness: the store answers and the bucket or folder is there.
    pub async fn check(&self) -> StoreResult<()> {
        match self {
            ObjectStore::Local(s) => s.check().await,
            ObjectStore::S3(s) => s.check().await,
        }
    }
}

impl ObjectWriter {
    pub async fn write(&mut self, chunk: Bytes) -> StoreResult<()> {
        match self {
            ObjectWriter::Local(w) => w.write(chunk).await,
            ObjectWriter::S3(w) => w.write(chunk).await,
        }
    }

    /// Makes the object durable and visible under its key.
    pub async fn finish(self) -> StoreResult<()> {
        match self {
            ObjectWriter::Local(w) => w.finish().await,
            ObjectWriter::S3(w) => w.finish().await,
        }
    }

    /// Drops everything written so far; nothing is left in the store.
    pub async fn abort(self) {
        match self {
            ObjectWriter::Local(w) => w.abort().await,
            ObjectWriter::S3(w) => w.abort().await,
        }
    }
}

/// `Content-Disposition` for a download: an ASCII fallback and the UTF-8 name (RFC 6266).
pub fn content_disposition(file_name: &str) -> String {
    disposition("attachment", file_name)
}

/// `Content-Disposition` to show the file in the page (a PDF in a frame, a photo), named
/// `file_name` should it be saved.
pub fn inline_disposition(file_name: &str) -> String {
    disposition("inline", file_name)
}

fn disposition(kind: &str, file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dispositions_keep_the_utf8_name() {
        assert_eq!(
            super::content_disposition("执照.pdf"),
            "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%89%A7%E7%85%A7.pdf"
        );
    }
}
