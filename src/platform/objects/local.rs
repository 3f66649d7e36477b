//! Objects as files under one folder. A write goes to `.partial/<uuid>` and is renamed into
//! place after `fsync`, so a key only ever names a complete file.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::fs;
use tokio::io::{AsyncRead, AsyncWriteExt};

use super::{Listed, StoreError, StoreResult};

const PARTIAL_DIR: &str = ".partial";

pub struct LocalStore {
    root: PathBuf,
}

pub struct LocalWriter {
    file: fs::File,
    partial: PathBuf,
    target: PathBuf,
}

fn unavailable(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

impl LocalStore {
    pub fn new(root: PathBuf) -> anyhow::Result<LocalStore> {
        std::fs::create_dir_all(root.join(PARTIAL_DIR))?;
        Ok(LocalStore { root })
    }

    /// The file of a key. Keys are server-made, but a key that could leave the folder is
    /// refused all the same.
    fn path(&self, key: &str) -> StoreResult<PathBuf> {
        let safe = !key.is_empty()
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != ".." && !part.starts_with('.'))
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'));
        if safe {
            Ok(self.root.join(key))
        } else {
            Err(StoreError::Unavailable(format!("refused object key {key:?}")))
        }
    }

    pub async fn writer(&self, key: &str) -> StoreResult<LocalWriter> {
        let target = self.path(key)?;
        let partial = self
            .root
            .join(PARTIAL_DIR)
            .join(uuid::Uuid::now_v7().simple().to_string());
        fs::create_dir_all(self.root.join(PARTIAL_DIR))
            .await
            .map_err(unavailable)?;
        let file = fs::File::create(&partial).await.map_err(unavailable)?;
        Ok(LocalWriter { file, partial, target })
    }

    pub async fn reader(&self, key: &str) -> StoreResult<Box<dyn AsyncRead + Send + Unpin>> {
        match fs::File::open(self.path(key)?).await {
            Ok(file) => Ok(Box::new(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::NotFound),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub async fn size(&self, key: &str) -> StoreResult<Option<u64>> {
        match fs::metadata(self.path(key)?).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    pub async fn delete(&self, key: &str) -> StoreResult<()> {
        match fs::remove_file(self.path(key)?).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Every object whose key starts with `prefix`. Writes still in progress are not objects
    /// and are never listed here (see `partial_writes`).
    pub async fn list(&self, prefix: &str) -> StoreResult<Vec<Listed>> {
        // Only the folder the prefix names is walked, not the whole store.
        let folder = match prefix.rfind('/') {
            Some(end) => self.path(&prefix[..end])?,
            None => self.root.clone(),
        };
        let (root, prefix) = (self.root.clone(), prefix.to_owned());
        let mut found = walk_blocking(root, folder).await?;
        found.retain(|l| l.key.starts_with(&prefix) && !l.key.starts_with(PARTIAL_DIR));
        Ok(found)
    }

    /// Writes begun and never finished or aborted (a crash mid-upload), as `.partial/<name>`:
    /// the sweeper removes the old ones with `delete_partial`.
    pub async fn partial_writes(&self) -> StoreResult<Vec<Listed>> {
        walk_blocking(self.root.clone(), self.root.join(PARTIAL_DIR)).await
    }

    pub async fn delete_partial(&self, name: &str) -> StoreResult<()> {
        let path = self.root.join(PARTIAL_DIR).join(name);
        match fs::remove_file(path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(unavailable(e)),
            _ => Ok(()),
        }
    }

    pub async fn check(&self) -> StoreResult<()> {
        let probe = self
            .root
            .join(PARTIAL_DIR)
            .join(format!("ready-{}", uuid::Uuid::now_v7().simple()));
        fs::write(&probe, b"ok").await.map_err(unavailable)?;
        fs::remove_file(&probe).await.map_err(unavailable)
    }
}

/// Every file under `folder`, keyed relative to `root`, read off the async runtime.
async fn walk_blocking(root: PathBuf, folder: PathBuf) -> StoreResult<Vec<Listed>> {
    tokio::task::spawn_blocking(move || {
        let mut found = Vec::new();
        walk(&root, &folder, &mut found).map_err(unavailable)?;
        Ok(found)
    })
    .await
    .map_err(|e| StoreError::Unavailable(e.to_string()))?
}

/// A file or folder that disappears while it is walked (a partial write renamed into place, an
/// object deleted) is simply not there: only other errors fail the walk.
fn walk(root: &Path, dir: &Path, found: &mut Vec<Listed>) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        entries => entries?,
    };
    for entry in entries {
        let entry = entry?;
        let meta = match entry.metadata() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            meta => meta?,
        };
        if meta.is_dir() {
            walk(root, &entry.path(), found)?;
        } else if let Ok(relative) = entry.path().strip_prefix(root) {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            found.push(Listed {
                key: relative.to_string_lossy().replace('\\', "/"),
                modified_ms: modified.map_or(0, |d| d.as_millis() as i64),
            });
        }
    }
    Ok(())
}

impl LocalWriter {
    pub async fn write(&mut self, chunk: Bytes) -> StoreResult<()> {
        self.file.write_all(&chunk).await.map_err(unavailable)
    }

    pub async fn finish(mut self) -> StoreResult<()> {
        let result = async {
            self.file.flush().await?;
            self.file.sync_all().await?;
            if let Some(parent) = self.target.parent() {
                fs::create_dir_all(parent).await?;
            }
            fs::rename(&self.partial, &self.target).await?;
            // The rename is durable once the folder holding it is synced.
            if let Some(parent) = self.target.parent() {
                fs::File::open(parent).await?.sync_all().await?;
            }
            Ok::<_, std::io::Error>(())
        }
        .await;
        if result.is_err() {
            let _ = fs::remove_file(&self.partial).await;
        }
        result.map_err(unavailable)
    }

    pub async fn abort(self) {
        drop(self.file);
        let _ = fs::remove_file(&self.partial).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_write_in_progress_is_listed_only_as_a_partial_write() {
        let folder = tempfile::tempdir().unwrap();
        let store = LocalStore::new(folder.path().to_path_buf()).unwrap();
        let mut done = store.writer("documents/a/1").await.unwrap();
        done.write(Bytes::from_static(b"whole")).await.unwrap();
        done.finish().await.unwrap();
        let mut unfinished = store.writer("documents/a/2").await.unwrap();
        unfinished.write(Bytes::from_static(b"half")).await.unwrap();

        let keys = |listed: Vec<Listed>| listed.into_iter().map(|l| l.key).collect::<Vec<_>>();
        assert_eq!(keys(store.list("documents/").await.unwrap()), ["documents/a/1"]);
        assert_eq!(keys(store.list("").await.unwrap()), ["documents/a/1"]);
        assert!(
            store.list("audit/").await.unwrap().is_empty(),
            "a prefix with no folder yet"
        );
        let partial = keys(store.partial_writes().await.unwrap());
        assert_eq!(partial.len(), 1);
        assert!(partial[0].starts_with(".partial/"), "{partial:?}");

        unfinished.abort().await;
        assert!(store.partial_writes().await.unwrap().is_empty());
    }
}
